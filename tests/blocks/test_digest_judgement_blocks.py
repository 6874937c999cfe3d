"""The digest's verdicts, readiness, disputes and quick sign-off menu, through `.to_dict()`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.blocks.digest import (
    digest_messages,
    parse_sign_off_block,
    parse_sign_off_choice,
    signed_off_line,
    with_verdict,
)
from bot.ids import DigestBlock
from bot.services.assessments import CurrentVerdicts, VerdictView
from bot.services.digest_content import DisputedTag, EvidenceItem, TagRef
from bot.services.digests import DigestInputs, assemble_digest
from bot.testing.block_rules import message_blocks_errors
from storage.models import Person, Rater, Verdict
from tests.services.digest_data import LADDER_ID, load_ladder

FRAMEWORK = load_ladder()[LADDER_ID]
END = datetime(2025, 3, 10, 14, 0)
START = END - timedelta(days=7)
LEVELS = {"delivery": "1", "quality": "1", "mentoring": "1"}


def _tag(behaviour_id: str, *, disputed: bool = False, comment: str | None = None) -> TagRef:
    b = FRAMEWORK.behaviour(behaviour_id)
    return TagRef(FRAMEWORK.id, b.id, b.area_id, b.level_id, b.text, disputed, comment)


def _verdict(behaviour_id: str, rater: Rater, verdict: Verdict, comment: str | None = None) -> VerdictView:
    b = FRAMEWORK.behaviour(behaviour_id)
    return VerdictView(1, b.id, b.area_id, b.level_id, b.text, rater, verdict, comment, (), END, None, 1)


def _content(items, *, verdicts=(), new_verdicts=(), disputes=()):
    manager = {v.behaviour_id: v for v in verdicts if v.rater is Rater.MANAGER}
    own = {v.behaviour_id: v for v in verdicts if v.rater is Rater.SELF}
    inputs = DigestInputs(
        report=Person(id=2, workspace_id=1, slack_user_id="UREP", display_name="Riley", tz="UTC"),
        manager=Person(id=1, workspace_id=1, slack_user_id="UMGR", display_name="Morgan", tz="UTC"),
        period_start=START,
        period_end=END,
        framework=FRAMEWORK,
        framework_id=FRAMEWORK.id,
        levels_by_area=LEVELS,
        new_items=items,
        meeting_at=END,
        verdicts=CurrentVerdicts(own, manager),
        new_verdicts=new_verdicts,
        disputes=disputes,
    )
    return assemble_digest(inputs)


def _text(messages) -> str:
    return json.dumps([m.to_dicts() for m in messages], ensure_ascii=False)


def test_verdicts_readiness_and_disagreements_show_and_are_escaped() -> None:
    ids = [b.id for b in FRAMEWORK.behaviours if b.level_id == "2" and b.area_id == "delivery"]
    verdicts = [
        _verdict(ids[0], Rater.MANAGER, Verdict.CONSISTENTLY, "Great <!channel>"),
        _verdict(ids[0], Rater.SELF, Verdict.NOT_YET),
    ]
    content = _content([], verdicts=verdicts, new_verdicts=verdicts)
    text = _text(digest_messages(content, "manager"))
    assert "New verdicts since the last 1:1" in text and "Great &lt;!channel&gt;" in text
    assert "<!channel>" not in text
    assert "Readiness for the next level" in text
    assert content.talking_points[0].kind == "disagreement"
    assert "Riley says not yet, the manager says consistently" in content.talking_points[0].text


def test_disputed_items_are_marked_not_hidden_and_lead_the_talking_points() -> None:
    tag = _tag("delivery-2-01", disputed=True, comment="Not <@U1>")
    item = EvidenceItem(5, END - timedelta(days=1), "Shipped it", tags=(tag,))
    content = _content([item], disputes=[DisputedTag(item, tag.behaviour_id, tag.behaviour_text, tag.dispute_comment)])
    for audience in ("manager", "preview", "self"):
        text = _text(digest_messages(content, audience))
        assert "Shipped it" in text and "disputed: doesn't show this" in text and "Not &lt;@U1&gt;" in text
    assert content.talking_points[0].kind == "disputed"


def test_many_behaviours_with_menus_stay_within_slacks_limits_and_keep_block_ids_unique() -> None:
    items = [
        EvidenceItem(i, END - timedelta(hours=i), f"Item {i} " + "x" * 2500, tags=(_tag(b.id),))
        for i, b in enumerate(FRAMEWORK.behaviours, start=1)
    ]
    messages = digest_messages(_content(items * 1), "manager")
    for message in messages:
        blocks = message.to_dicts()
        assert len(blocks) <= 50 and message_blocks_errors(blocks) == []
        ids = [b["block_id"] for b in blocks if "block_id" in b]
        assert len(ids) == len(set(ids)) and all(len(i) <= 255 for i in ids)
        for block in blocks:
            menu = block.get("accessory") or {}
            if menu.get("type") == "overflow":
                assert len(menu["options"]) <= 5 and all(len(o["value"]) <= 150 for o in menu["options"])


def test_with_verdict_replaces_one_line_and_keeps_the_block_count() -> None:
    item = EvidenceItem(5, END - timedelta(days=1), "Shipped it", tags=(_tag("delivery-2-01"),))
    blocks = digest_messages(_content([item]), "manager")[0].to_dicts()
    menu = next(b for b in blocks if b.get("block_id", "").startswith(DigestBlock.SIGN_OFF_PREFIX))
    line = signed_off_line(_verdict("delivery-2-01", Rater.MANAGER, Verdict.SOMETIMES))
    updated = with_verdict(blocks, menu["block_id"], line)
    assert len(updated) == len(blocks) and "Manager's verdict: *Sometimes*" in json.dumps(updated)
    assert with_verdict(blocks, "forged", line) == blocks


def test_sign_off_values_parse_and_forgeries_come_back_empty() -> None:
    assert parse_sign_off_block(f"{DigestBlock.SIGN_OFF_PREFIX}2:delivery-2-01:5,6") == (2, "delivery-2-01", [5, 6])
    assert parse_sign_off_block("dso:x:y:z") == (None, None, [])
    assert parse_sign_off_block("other") == (None, None, [])
    assert parse_sign_off_choice("consistently") is Verdict.CONSISTENTLY
    assert parse_sign_off_choice("dispute") == "dispute"
    assert parse_sign_off_choice("promote") is None
