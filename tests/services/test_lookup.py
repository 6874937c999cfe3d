"""What `/ladder show|next` refuse with: the typed words kept raw, escaped only where shown."""

from __future__ import annotations

import pytest

from bot.errors import UserFacingError
from bot.services.lookup import resolve_show
from bot.services.slots import SlotError, parse_slot
from tests.listeners.harness import bundled_library


def test_an_unknown_ladder_keeps_what_was_typed_raw_and_shows_it_escaped() -> None:
    with pytest.raises(UserFacingError) as error:
        resolve_show(bundled_library(), ["<!channel>", "&"])
    assert error.value.quoted["typed"] == "<!channel> &"
    assert str(error.value).startswith("I don't know a ladder called “&lt;!channel&gt; &amp;”. Try `/ladder show")


def test_a_mistyped_weekday_is_quoted_raw_and_shortened() -> None:
    with pytest.raises(SlotError) as error:
        parse_slot(["<" * 5000, "10:00"])
    assert error.value.quoted["typed"] == "<" * 59 + "…"
    assert str(error.value) == "“" + "&lt;" * 59 + "…” is not a weekday; use e.g. Tuesday or tue."
