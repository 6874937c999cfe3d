"""Block Kit for focus behaviours (bot.blocks.focus), the back-off DMs (bot.blocks.backoff) and a
report's focus on `/ladder team`: Slack's limits (the fake Slack's block rules), escaping of behaviour
text, and the buttons' ids and values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.blocks.backoff import ask_blocks, notice_blocks
from bot.blocks.consent import team_blocks
from bot.blocks.focus import focus_blocks, focus_modal, home_focus_blocks, report_focus_line
from bot.ids import BackoffAction, Callback, FocusAction, FocusBlock
from bot.services.focus import FOCUS_LIMIT, FocusItem
from bot.services.focus_requests import FocusShown
from bot.testing import block_rules
from frameworks import Behaviour
from storage.models import Cadence, Verdict

NASTY = "Tells <!channel> & <@U123> about <https://x.example|links> " * 30  # long, with markup


def _item(n: int, text: str = NASTY) -> FocusItem:
    return FocusItem(f"b-{n}", text, "Delivery <&>", "Level <2>", n, None, Verdict.SOMETIMES if n else None)


def _dicts(blocks: list[Any]) -> list[dict[str, Any]]:
    return [block.to_dict() for block in blocks]


def _buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for block in blocks:
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def _escaped(text: str) -> None:
    assert "<!channel>" not in text and "<@U123>" not in text
    assert "&lt;!channel&gt;" in text and "&amp;" in text


def test_the_focus_answer_escapes_behaviour_text_and_fits_slack() -> None:
    shown = FocusShown(
        items=tuple(_item(n) for n in range(FOCUS_LIMIT)),
        milestone="Level <3> in Delivery",
        choices=(),
        added=(NASTY,),
        cleared=2,
    )
    blocks = _dicts(focus_blocks(shown))
    assert block_rules.message_blocks_errors(blocks) == []
    text = " ".join(str(b) for b in blocks)
    _escaped(text)
    assert "Level &lt;3&gt; in Delivery" in text and "Delivery &lt;&amp;&gt; · Level &lt;2&gt;" in text
    assert "manager: Sometimes" in text and "no evidence yet" in text


def test_the_home_focus_section_and_its_button() -> None:
    blocks = _dicts(home_focus_blocks([_item(1), _item(2)]))
    assert block_rules.message_blocks_errors(blocks) == []
    assert block_rules.blocks_errors(blocks, "/blocks", max_blocks=100) == []
    _escaped(blocks[0]["text"]["text"])
    [button] = _buttons(blocks)
    assert button["action_id"] == FocusAction.OPEN and len(button["text"]["text"]) <= 75
    empty = _dicts(home_focus_blocks([]))
    assert f"up to {FOCUS_LIMIT} behaviours" in empty[0]["text"]["text"]


def test_the_focus_modal_keeps_within_slacks_option_limits() -> None:
    choices = [Behaviour(f"b-{n}", f"{n} " + NASTY, "delivery", "3", "ladder") for n in range(130)]
    view = focus_modal(choices, ["b-1", "b-5", "not-offered"]).to_dict()
    assert block_rules.view_errors(view, allowed_types=("modal",)) == []
    assert view["callback_id"] == Callback.FOCUS
    [block] = view["blocks"]
    assert block["block_id"] == FocusBlock.SELECT
    select = block["element"]
    assert select["action_id"] == FocusAction.SELECT and select["max_selected_items"] == FOCUS_LIMIT
    assert len(select["options"]) == 100  # Slack's limit; the rest are left out, not an error
    assert all(len(o["text"]["text"]) <= 75 for o in select["options"])
    assert [o["value"] for o in select["options"]][:3] == ["b-0", "b-1", "b-2"]  # values are behaviour ids
    assert [o["value"] for o in select["initial_options"]] == ["b-1", "b-5"]


def test_a_reports_focus_line_is_escaped_and_short() -> None:
    line = report_focus_line([NASTY, "Leads <b>interviews</b>"])
    _escaped(line)
    assert "Leads &lt;b&gt;interviews&lt;/b&gt;" in line and len(line) < 250
    assert report_focus_line([]) == ""


def test_team_blocks_with_many_reports_fit_a_message_and_escape_focus() -> None:
    reports = [(f"U{n:03d}", n % 5 != 0) for n in range(120)]
    focus = {slack_id: (NASTY, NASTY, NASTY) for slack_id, _ in reports}
    last = {slack_id: datetime(2026, 6, 3, 2, 0) for slack_id, _ in reports}
    blocks = _dicts(
        team_blocks(
            manager_slack_id=None,
            pending=[],
            reports=reports,
            readiness={},
            focus=focus,
            last_evidence_at=last,
            tz="Pacific/Honolulu",
        )
    )
    assert block_rules.message_blocks_errors(blocks) == []
    text = "\n".join(b["text"]["text"] for b in blocks if b.get("type") == "section")
    _escaped(text)
    assert "<@U001> · last evidence <!date^" in text and "|2 Jun 2026>" in text
    assert "<@U000> (waiting for their consent)\n" in text  # nothing of theirs before consent
    assert text.count(":dart: Focus:") == sum(1 for _, active in reports if active)


@pytest.mark.parametrize("cadence", [Cadence.WEEKLY, Cadence.FORTNIGHTLY, Cadence.MONTHLY])
def test_the_back_off_question_offers_each_other_cadence(cadence: Cadence) -> None:
    blocks = _dicts(ask_blocks(cadence))
    assert block_rules.message_blocks_errors(blocks) == []
    buttons = _buttons(blocks)
    pairs = {(b["action_id"], b["value"]) for b in buttons}
    every = {
        (BackoffAction.FORTNIGHTLY.value, "fortnightly"),
        (BackoffAction.MONTHLY.value, "monthly"),
        (BackoffAction.PAUSE.value, "pause"),
        (BackoffAction.KEEP.value, "keep"),
    }
    expected = every if cadence is Cadence.WEEKLY else {p for p in every if p[1] != cadence.value}
    assert pairs == expected
    keep = next(b for b in buttons if b["value"] == "keep")
    assert keep["text"]["text"] == f"Keep {cadence.value}" and all(len(b["text"]["text"]) <= 75 for b in buttons)


def test_the_slowed_down_notice_has_one_button_back() -> None:
    blocks = _dicts(notice_blocks(Cadence.FORTNIGHTLY, Cadence.WEEKLY))
    assert block_rules.message_blocks_errors(blocks) == []
    [button] = _buttons(blocks)
    assert (button["action_id"], button["value"], button["text"]["text"]) == (
        BackoffAction.KEEP.value,
        "keep",
        "Back to weekly",
    )
    assert "now fortnightly" in blocks[0]["text"]["text"]
