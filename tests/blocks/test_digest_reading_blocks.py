"""Issue 13's digest rules in the blocks: the preview is the manager's digest block for block (plus the
flag buttons), dates are the reader's local dates, "no change" is said once, points say why."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.blocks.digest import digest_messages
from bot.blocks.home import _evidence_blocks, home_view
from bot.blocks.when import date_text, slack_date
from bot.ids import DigestAction, DigestBlock
from bot.services.digest_content import BehaviourStat, EvidenceItem, PromptActivity, TagRef
from bot.services.digests import DigestInputs, assemble_digest
from bot.services.home import EvidenceItem as HomeItem
from bot.services.home import HomeData
from bot.testing.block_rules import message_blocks_errors
from storage.models import Person
from tests.blocks.digest_compare import comparable
from tests.services.digest_data import LADDER_ID, load_ladder

LIBRARY = load_ladder()
FRAMEWORK = LIBRARY[LADDER_ID]
END = datetime(2025, 3, 10, 14, 0)
START = END - timedelta(days=7)
LATE_EVENING = datetime(2025, 3, 8, 23, 30)  # Saturday 8 March in UTC, Sunday 9 March in Paris


def _tag(behaviour_id: str) -> TagRef:
    b = FRAMEWORK.behaviour(behaviour_id)
    return TagRef(FRAMEWORK.id, b.id, b.area_id, b.level_id, b.text)


def _content(items=(), flagged=(), previous=None, **kwargs):
    inputs = DigestInputs(
        report=Person(id=2, workspace_id=1, slack_user_id="UREPORT", display_name="Riley Report", tz="Europe/Paris"),
        manager=Person(id=1, workspace_id=1, slack_user_id="UMANAGER", display_name="Morgan", tz="America/New_York"),
        period_start=START,
        period_end=END,
        framework=FRAMEWORK,
        framework_id=FRAMEWORK.id,
        levels_by_area={"delivery": "1", "quality": "1", "mentoring": "1"},
        new_items=list(items),
        flagged=list(flagged),
        meeting_at=END,
        one_on_one_id=7,
        last_evidence_at=LATE_EVENING,
        **kwargs,
    )
    return assemble_digest(inputs, previous)


def _blocks(content, audience: str) -> list[dict]:
    return [b for m in digest_messages(content, audience, digest_id=3) for b in m.to_dicts()]  # type: ignore[arg-type]


def _items() -> list[EvidenceItem]:
    return [
        EvidenceItem(1, LATE_EVENING, "Shipped the export <!here>", tags=(_tag("delivery-2-01"), _tag("quality-2-01"))),
        EvidenceItem(2, END - timedelta(days=1), "Mentored Sam", tags=(_tag("mentoring-2-01"),), to_discuss=True),
        EvidenceItem(3, END - timedelta(days=2), "Untagged note"),
    ]


def test_the_preview_is_the_managers_digest_block_for_block_plus_the_flag_buttons() -> None:
    content = _content(_items(), flagged=[_items()[1]], previous={"delivery": {"covered": 0}})
    manager, preview = _blocks(content, "manager"), _blocks(content, "preview")
    assert comparable(preview) == comparable(manager)
    assert len(comparable(manager)) > 10  # sections, counts and labels all compared
    # What the preview adds: its introduction, one flag button per item, the note button.
    buttons = [b["accessory"] for b in preview if (b.get("accessory") or {}).get("type") == "button"]
    assert sorted((b["action_id"], b["value"]) for b in buttons) == [
        (DigestAction.FLAG.value, "1"),
        (DigestAction.FLAG.value, "3"),
        (DigestAction.UNFLAG.value, "2"),
    ]
    assert preview[0]["block_id"] == DigestBlock.PREVIEW_INTRO and "what your manager will see" in json.dumps(
        preview[0]
    )
    assert not any((b.get("accessory") or {}).get("type") == "overflow" for b in preview)  # no sign-off menus
    assert any((b.get("accessory") or {}).get("type") == "overflow" for b in manager)
    for message in digest_messages(content, "preview", digest_id=3):
        assert message_blocks_errors(message.to_dicts()) == []


def test_the_preview_keeps_matching_when_the_digest_splits_into_parts() -> None:
    items = [
        EvidenceItem(i, END - timedelta(hours=i), f"Item {i} " + "x" * 1500, tags=(_tag(b.id),))
        for i, b in enumerate(FRAMEWORK.behaviours * 3, start=1)
    ]
    content = _content(items)
    assert len(digest_messages(content, "manager")) > 1
    assert comparable(_blocks(content, "preview")) == comparable(_blocks(content, "manager"))


def test_dates_are_the_readers_local_dates() -> None:
    content = _content(_items())
    manager_text, preview_text = json.dumps(_blocks(content, "manager")), json.dumps(_blocks(content, "preview"))
    assert "|8 Mar 2025>: Shipped the export" in manager_text  # New York: Saturday evening
    assert "|9 Mar 2025>: Shipped the export" in preview_text  # Paris: already Sunday
    assert "|8 Mar 2025>: Shipped" not in preview_text and "|9 Mar 2025>: Shipped" not in manager_text
    assert slack_date(LATE_EVENING, "Europe/Paris") == "<!date^1741476600^{date_short}|9 Mar 2025>"
    assert date_text(LATE_EVENING, "UTC") == "8 Mar 2025"


def test_home_shows_the_readers_local_date_of_the_same_evidence() -> None:
    data = HomeData("UREPORT", None, (HomeItem("Shipped", LATE_EVENING, (), False),), None, (), 0, tz="Europe/Paris")
    # A person not set up yet sees the welcome only; the evidence blocks are what a set-up person sees.
    text = json.dumps([b.to_dict() for b in _evidence_blocks(data.recent, data.tz)])
    assert "|9 Mar 2025>" in text
    assert home_view(data, END).to_dict()  # still a valid view


def test_no_change_is_said_once_and_only_real_changes_per_area() -> None:
    previous = {"delivery": {"covered": 0}, "quality": {"covered": 0}, "mentoring": {"covered": 0}}
    text = json.dumps(_blocks(_content(previous=previous), "manager"))
    assert text.count("No change in any area since the last digest") == 1
    assert "no change since the last digest" not in text
    moved_content = _content(previous=previous, stats={"delivery-2-01": BehaviourStat(1, END)})
    moved = json.dumps(_blocks(moved_content, "manager"), ensure_ascii=False)
    assert "No change in any area" not in moved and "no change since the last digest" not in moved
    assert "Delivery → Level 2 · +1 since the last digest" in moved


def test_points_say_why_and_an_away_week_reads_as_one() -> None:
    content = _content(prompts=PromptActivity(away=1))
    text = json.dumps(_blocks(content, "manager"), ensure_ascii=False)
    assert "_Why: a behaviour of the next milestone with no evidence at all_" in text
    assert "Riley was away (1 prompt skipped)" in text and "got in the way" not in text
    assert "No prompts since the last 1:1 · 1 skipped while away · last evidence: <!date^" in text
