from __future__ import annotations

import pytest

from bot.blocks.common import mrkdwn_sections, pack_lines, progress_bar, split_text, unescape, weekday_options
from bot.services.slots import WEEKDAY_NAMES, weekday_from_number
from bot.services.text import escape


def test_escape_replaces_only_amp_lt_gt() -> None:
    assert escape("<!channel> & <@U123> *bold* _x_ \"q\" 'a'") == (
        "&lt;!channel&gt; &amp; &lt;@U123&gt; *bold* _x_ \"q\" 'a'"
    )


@pytest.mark.parametrize(
    "typed", ["Fixed A & B for <script>", "&lt; typed literally", "&amp;amp;", "<!channel> > & <", "", "&quot; &#39;"]
)
def test_unescape_undoes_exactly_what_escape_does(typed: str) -> None:
    assert unescape(escape(typed)) == typed


def test_unescape_keeps_real_mentions_and_other_entities() -> None:
    assert unescape("Thanks <@U123> &amp; <https://x.example|docs> &lt;3 &quot;") == (
        "Thanks <@U123> & <https://x.example|docs> <3 &quot;"
    )
    assert unescape("&amp;lt;") == "&lt;"  # one pass: what the person typed was "&lt;"
    assert escape("&amp;") == "&amp;amp;"


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [
        (0, 4, "▱▱▱▱▱▱▱▱▱▱ 0/4"),
        (1, 40, "▰▱▱▱▱▱▱▱▱▱ 1/40"),
        (2, 4, "▰▰▰▰▰▱▱▱▱▱ 2/4"),
        (39, 40, "▰▰▰▰▰▰▰▰▰▱ 39/40"),
        (4, 4, "▰▰▰▰▰▰▰▰▰▰ 4/4"),
        (0, 0, "▱▱▱▱▱▱▱▱▱▱ 0/0"),
    ],
)
def test_progress_bar(done: int, total: int, expected: str) -> None:
    assert progress_bar(done, total) == expected


def test_split_text_keeps_every_word() -> None:
    text = " ".join(f"word{i}" for i in range(2000))
    pieces = split_text(text, 300)
    assert all(len(piece) <= 300 for piece in pieces)
    assert " ".join(pieces) == text


def test_split_text_hard_cut_never_splits_an_entity() -> None:
    text = escape("<" * 5000)
    pieces = split_text(text, 3000)
    assert "".join(pieces) == text
    assert all(len(p) <= 3000 and p.startswith("&lt;") and p.endswith("&lt;") for p in pieces)


def test_pack_lines_and_sections() -> None:
    lines = [f"line {i} " + "x" * 100 for i in range(100)]
    chunks = pack_lines(lines, 3000)
    assert all(len(chunk) <= 3000 for chunk in chunks)
    assert "\n".join(chunks).split("\n") == lines
    blocks = mrkdwn_sections(lines)
    assert len(blocks) == len(chunks)
    for block in blocks:
        block.to_dict()


def test_the_day_picker_values_read_back_as_their_weekdays() -> None:
    options = [option.to_dict() for option in weekday_options()]
    assert [option["text"]["text"] for option in options] == list(WEEKDAY_NAMES)
    assert [weekday_from_number(option["value"]) for option in options] == list(range(7))
