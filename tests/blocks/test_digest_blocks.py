from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.blocks.digest import digest_messages, item_line, last_minute_note, link
from bot.ids import DigestAction, DigestBlock
from bot.services.digest_content import EvidenceItem, TagRef
from bot.services.digests import DigestInputs, assemble_digest
from bot.testing.block_rules import message_blocks_errors
from storage.models import Person
from tests.services.digest_data import LADDER_ID, load_ladder

LIBRARY = load_ladder()
FRAMEWORK = LIBRARY[LADDER_ID]
END = datetime(2025, 3, 10, 14, 0)
START = END - timedelta(days=7)


def _person(pid: int, slack_id: str, name: str) -> Person:
    return Person(id=pid, workspace_id=1, slack_user_id=slack_id, display_name=name, tz="UTC")


def _tag(behaviour_id: str) -> TagRef:
    b = FRAMEWORK.behaviour(behaviour_id)
    return TagRef(FRAMEWORK.id, b.id, b.area_id, b.level_id, b.text)


def _content(items: list[EvidenceItem], flagged: list[EvidenceItem] | None = None):
    inputs = DigestInputs(
        report=_person(2, "UREPORT", "Riley Report"),
        manager=_person(1, "UMANAGER", "Morgan Manager"),
        period_start=START,
        period_end=END,
        framework=FRAMEWORK,
        framework_id=FRAMEWORK.id,
        levels_by_area={"delivery": "1", "quality": "1", "mentoring": "1"},
        new_items=items,
        flagged=flagged or [],
        meeting_at=END,
        one_on_one_id=7,
    )
    return assemble_digest(inputs)


def _all_text(messages) -> str:
    return json.dumps([m.to_dicts() for m in messages], ensure_ascii=False)


def test_mentions_and_markup_in_evidence_are_escaped() -> None:
    evil = EvidenceItem(
        1, END - timedelta(days=1), "Told <!channel> & <@U123> about <https://x|y>", None, tags=(_tag("delivery-2-01"),)
    )
    messages = digest_messages(_content([evil]), "manager")
    text = _all_text(messages)
    assert "<!channel>" not in text and "<@U123>" not in text
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in text
    for message in messages:
        assert message_blocks_errors(message.to_dicts()) == []


def test_links_only_for_well_formed_urls() -> None:
    assert (
        link("https://acme.slack.com/archives/C1/p1?a=1&b=2")
        == "<https://acme.slack.com/archives/C1/p1?a=1&amp;b=2|link>"
    )
    assert link("javascript:alert(1)") == "javascript:alert(1)"
    assert link("https://x.com/a|<!channel>") == "https://x.com/a|&lt;!channel&gt;"
    line = item_line(EvidenceItem(1, END, "done", "https://x.com/a>b"))
    assert "<https://x.com/a>b" not in line


def test_long_digest_is_split_without_losing_anything() -> None:
    # 120 items, each 2,500 characters: far over 50 blocks and 40,000 characters.
    items = [
        EvidenceItem(
            i,
            START + timedelta(minutes=i),
            f"item-{i:03d} " + "word " * 500,
            tags=(_tag("delivery-2-01" if i % 2 else "quality-2-01"),),
        )
        for i in range(120)
    ]
    for audience in ("manager", "preview", "self"):
        messages = digest_messages(_content(items), audience, digest_id=3)
        assert len(messages) > 1
        for number, message in enumerate(messages, start=1):
            blocks = message.to_dicts()
            assert len(blocks) <= 50
            assert message_blocks_errors(blocks) == []
            assert len(message.text) <= 40_000
            assert f"Part {number} of {len(messages)}" in json.dumps(blocks)
        text = _all_text(messages)
        for i in range(120):
            assert f"item-{i:03d}" in text
        assert text.count("word") >= 120 * 500


def test_nothing_new_is_said_plainly_and_still_shows_coverage() -> None:
    messages = digest_messages(_content([]), "manager")
    assert len(messages) == 1
    text = _all_text(messages)
    assert "Nothing new since the last 1:1" in text
    assert "Next milestone coverage" in text
    assert "nothing new" in messages[0].text


def test_preview_has_flag_buttons_and_a_note_button() -> None:
    item = EvidenceItem(
        5, END - timedelta(days=2), "Fixed the flaky tests", tags=(_tag("quality-2-01"), _tag("delivery-2-02"))
    )
    flagged = EvidenceItem(6, END - timedelta(days=20), "Old thing", to_discuss=True, tags=(_tag("quality-2-02"),))
    messages = digest_messages(_content([item, flagged], [flagged]), "preview", digest_id=42)
    blocks = [b for m in messages for b in m.to_dicts()]
    buttons = [b["accessory"] for b in blocks if b.get("accessory", {}).get("type") == "button"]
    # An item under two behaviours gets one button; a flagged item offers "Unflag".
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (DigestAction.FLAG.value, "5"),
        (DigestAction.UNFLAG.value, "6"),
    ]
    actions = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"], e["value"]) for e in actions] == [(DigestAction.ADD_NOTE.value, "42")]
    assert "what your manager will see" in json.dumps(blocks)
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))


def test_manager_digest_has_only_the_sign_off_menu() -> None:
    item = EvidenceItem(5, END - timedelta(days=2), "Fixed it", tags=(_tag("quality-2-01"),))
    blocks = [b for m in digest_messages(_content([item]), "manager") for b in m.to_dicts()]
    assert not [b for b in blocks if b["type"] == "actions"]
    menus = [b for b in blocks if "accessory" in b]
    assert [m["accessory"]["action_id"] for m in menus] == [DigestAction.SIGN_OFF.value]
    assert menus[0]["block_id"] == f"{DigestBlock.SIGN_OFF_PREFIX}2:quality-2-01:5"
    assert len(menus[0]["accessory"]["options"]) <= 5


def test_last_minute_note_is_escaped_and_quoted() -> None:
    note = last_minute_note("Riley <3", "Let's talk\nabout <!here>")
    assert note == "Last-minute note from Riley &lt;3:\n>Let's talk\n>about &lt;!here&gt;"


def test_modals_meet_slacks_rules() -> None:
    from bot.blocks.digest import note_modal, parse_note
    from bot.blocks.forget import deletion_lines, forget_done_view, forget_modal
    from bot.blocks.one_on_one import one_on_one_modal
    from bot.testing.block_rules import view_errors

    many = [(f"U{i:04d}", f"Report number {i} with a very long name " * 3) for i in range(150)]
    for view in (
        note_modal(7, "Morgan " * 40),
        forget_modal(),
        forget_done_view(None),
        forget_done_view({"evidence": 1, "prompts": 2}),
        one_on_one_modal([], [], "UTC", 120),
        one_on_one_modal(many, ["• <@U1>: Mondays at 10:00, weekly"], "Europe/Paris", 120),
    ):
        assert view_errors(view.to_dict(), allowed_types=("modal",)) == []
    assert "• 1 evidence item" in deletion_lines({"evidence": 1}) and "• 2 prompts" in deletion_lines({"prompts": 2})
    assert parse_note({"private_metadata": '{"digest_id": 7}'}) == (7, "")
    assert parse_note({"private_metadata": "not json"}) == (None, "")
    assert parse_note({"private_metadata": '{"digest_id": "7"}'}) == (None, "")
