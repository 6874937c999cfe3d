from __future__ import annotations

import json

import pytest

from bot.blocks.evidence_modal import (
    MAX_OPTIONS,
    EvidenceModalMeta,
    behaviour_groups,
    evidence_modal,
    parse_behaviour_ids,
    parse_evidence_submission,
    retag_modal,
    save_message_modal,
    search_option_groups,
)
from bot.blocks.prompt import (
    evidence_saved_blocks,
    prompt_answered_blocks,
    prompt_blocks,
    prompt_paused_blocks,
    prompt_skipped_blocks,
    prompt_snoozed_blocks,
    too_long_blocks,
)
from bot.ids import EvidenceAction, EvidenceBlock, PromptAction
from bot.services.prompt_content import PromptContent
from bot.testing.block_rules import message_blocks_errors, view_errors
from frameworks import load_library
from tests.listeners.harness import bundled_library

CONTENT = PromptContent(
    prompt_id=7,
    behaviour_text="Ships <small> changes & reviews <@U123> peers' work",
    area_name="Delivery",
    level_name="Milestone 2",
    why="It is part of reaching Milestone 2 in Delivery, and you have no evidence for it yet.",
)


def dicts(blocks: list) -> list[dict]:
    return [block.to_dict() for block in blocks]


@pytest.mark.parametrize(
    "build",
    [
        lambda: prompt_blocks(CONTENT),
        lambda: prompt_answered_blocks(CONTENT, 2),
        lambda: prompt_skipped_blocks(CONTENT),
        lambda: prompt_snoozed_blocks(CONTENT, "on Tuesday 9 January at 10:00"),
        lambda: prompt_paused_blocks(CONTENT, None),
        lambda: evidence_saved_blocks(3, ["Delivery · Milestone 2: ships <things>"]),
        lambda: too_long_blocks("text is 12,000 characters long", "z" * 12_000),
    ],
)
def test_messages_pass_slack_rules_and_escape_user_text(build) -> None:  # type: ignore[no-untyped-def]
    blocks = dicts(build())
    assert message_blocks_errors(blocks) == []
    dumped = json.dumps(blocks)
    assert "<@U123>" not in dumped and "<small>" not in dumped and "<things>" not in dumped


def test_prompt_has_the_four_buttons_carrying_the_prompt_id() -> None:
    blocks = dicts(prompt_blocks(CONTENT))
    buttons = [e for b in blocks for e in b.get("elements", []) if e.get("type") == "button"]
    assert [b["action_id"] for b in buttons] == [
        PromptAction.ADD_EVIDENCE,
        PromptAction.NOTHING_THIS_WEEK,
        PromptAction.SNOOZE,
        PromptAction.PAUSE,
    ]
    assert {b["value"] for b in buttons} == {"7"}
    text = json.dumps(blocks)
    assert "Delivery" in text and "Milestone 2" in text and "no evidence for it yet" in text


def test_answered_and_skipped_have_no_buttons() -> None:
    for blocks in (prompt_answered_blocks(CONTENT), prompt_skipped_blocks(CONTENT)):
        assert all(b["type"] != "actions" for b in dicts(blocks))


def test_too_long_echo_keeps_every_character() -> None:
    original = "".join(chr(97 + i % 26) for i in range(12_345))
    blocks = dicts(too_long_blocks("too long", original))
    echoed = "".join(b["text"]["text"].strip("`") for b in blocks[1:])
    assert echoed == original


def test_behaviour_groups_fit_in_one_hundred_options_without_duplicates() -> None:
    library = bundled_library()
    framework = max(library.frameworks, key=lambda f: f.behaviour_count)
    assert framework.behaviour_count > MAX_OPTIONS  # the point of the cap
    levels = {area.id: framework.levels[0].id for area in framework.areas}
    milestone = [b for b in framework.behaviours if b.level_id == framework.levels[1].id]
    first = milestone[:3]
    groups = behaviour_groups(framework, first=first, milestone=milestone, levels_by_area=levels, track=None)
    ids = [b.id for g in groups for b in g.behaviours]
    assert len(ids) == MAX_OPTIONS == len(set(ids))
    assert groups[0].label == "Suggested" and list(groups[0].behaviours) == first
    assert set(b.id for b in milestone) <= set(ids) or len(milestone) > MAX_OPTIONS - 3
    meta = EvidenceModalMeta(token="t" * 32, framework_id=framework.id, prompt_id=9)
    view = evidence_modal(framework, groups, first[:1], meta, prompt_behaviour=first[0]).to_dict()
    assert view_errors(view, allowed_types=("modal",)) == []
    select = next(b for b in view["blocks"] if b.get("block_id") == EvidenceBlock.BEHAVIOURS)["element"]
    assert [o["value"] for o in select["initial_options"]] == [first[0].id]


def test_small_ladder_offers_everything() -> None:
    framework = load_library()["luko-execution"]
    levels = {area.id: "1" for area in framework.areas}
    groups = behaviour_groups(framework, first=[], milestone=[], levels_by_area=levels, track=None)
    assert {b.id for g in groups for b in g.behaviours} == {b.id for b in framework.behaviours}
    meta = EvidenceModalMeta(token="abc", framework_id=framework.id, channel_id="C1", message_ts="1.2", text="hi")
    for view in (
        save_message_modal(framework, groups, [], meta, text="thanks <@U1>", author_id="U2"),
        retag_modal(framework, groups, [], meta, text="a" * 5000),
    ):
        assert view_errors(view.to_dict(), allowed_types=("modal",)) == []


def test_metadata_round_trip_and_rejects_foreign_values() -> None:
    meta = EvidenceModalMeta(token="abc", framework_id="f", prompt_id=3, text="ünïcode & <stuff>")
    assert EvidenceModalMeta.load(meta.dump()) == meta
    for raw in ("", "not json", "[]", '{"framework_id": "f"}', '{"token": "", "framework_id": "f"}'):
        with pytest.raises(ValueError):
            EvidenceModalMeta.load(raw)
    odd = EvidenceModalMeta.load('{"token": "t", "framework_id": "f", "prompt_id": "12", "evidence_id": true}')
    assert odd.prompt_id is None and odd.evidence_id is None
    assert not EvidenceModalMeta(token="t", framework_id="f", text="x" * 3000).fits()


def test_parse_submission_keeps_text_exactly() -> None:
    values = {
        EvidenceBlock.TEXT: {EvidenceAction.TEXT: {"value": "  two spaces\nand a newline  "}},
        EvidenceBlock.LINK: {EvidenceAction.LINK: {"value": " https://x.example "}},
        EvidenceBlock.BEHAVIOURS: {
            EvidenceAction.BEHAVIOURS: {"selected_options": [{"value": "a"}, {"value": "b"}, {"value": "a"}, {}]}
        },
    }
    parsed = parse_evidence_submission(values)
    assert parsed.text == "  two spaces\nand a newline  "
    assert parsed.link == "https://x.example"
    assert parsed.behaviour_ids == ("a", "b")
    assert parse_evidence_submission({}).text == "" and parse_behaviour_ids({}) == ()


def test_a_pick_outside_the_suggestions_stays_selected_in_the_whole_ladder_search() -> None:
    framework = load_library()["attest-engineering"]
    listed, far = framework.behaviours[0], framework.behaviours[-1]
    groups = behaviour_groups(framework, first=[listed], milestone=[], levels_by_area={}, track=None, limit=1)
    meta = EvidenceModalMeta(token="t", framework_id=framework.id)
    view = evidence_modal(framework, groups, [listed, far], meta).to_dict()
    assert view_errors(view, allowed_types=("modal",)) == []
    by_block = {b.get("block_id"): b for b in view["blocks"]}
    static = by_block[EvidenceBlock.BEHAVIOURS]["element"]
    search = by_block[EvidenceBlock.SEARCH]["element"]
    assert [o["value"] for o in static["initial_options"]] == [listed.id]
    assert [o["value"] for o in search["initial_options"]] == [far.id]
    assert search["type"] == "multi_external_select"
    values = {
        EvidenceBlock.BEHAVIOURS: {EvidenceAction.BEHAVIOURS: {"selected_options": [{"value": listed.id}]}},
        EvidenceBlock.SEARCH: {EvidenceAction.SEARCH: {"selected_options": [{"value": far.id}, {"value": listed.id}]}},
    }
    assert parse_behaviour_ids(values) == (listed.id, far.id)


def test_search_options_fit_slack_and_group_by_area() -> None:
    framework = load_library()["attest-engineering"]
    groups = [g.to_dict() for g in search_option_groups(framework, list(framework.behaviours))]
    options = [o for g in groups for o in g["options"]]
    assert len(options) == MAX_OPTIONS
    assert all(len(o["text"]["text"]) <= 75 and len(o["value"]) <= 150 for o in options)
    assert any(o["text"]["text"].endswith("…") for o in options)  # long wording cut for display only
    assert len({g["label"]["text"] for g in groups}) == len(groups)


def test_rendered_prompt_matches_the_block_builder() -> None:
    from bot.blocks.prompt import prompt_blocks, rendered_prompt
    from bot.services.prompt_content import PromptContent

    content = PromptContent(41, "Ships <things> & more", "Delivery", "Milestone 2", "why not", "for leads")
    assert rendered_prompt(content) == [block.to_dict() for block in prompt_blocks(content)]
    other = PromptContent(42, "Ships <things> & more", "Delivery", "Milestone 2", "why not", "for leads")
    assert rendered_prompt(other) == [block.to_dict() for block in prompt_blocks(other)]


def _buttons(blocks: list[dict]) -> list[str]:
    return [e["text"]["text"] for b in blocks for e in b.get("elements", []) if e.get("type") == "button"]


def test_the_saved_confirmation_offers_a_better_behaviour_within_slacks_rules() -> None:
    from bot.services.tag_suggestions import Suggestion, WeakMatch

    label = "Communication · Milestone 3: Regularly presents at <tech talks> " + "and more " * 20
    offer = Suggestion("communication-3-01", label, 11.4, 2.3)
    tagged = dicts(evidence_saved_blocks(3, ["Quality · Milestone 2: x"], suggestion=offer))
    assert message_blocks_errors(tagged) == []
    mrkdwn = [b["text"]["text"] for b in tagged if b["type"] == "section"]
    assert any("&lt;tech talks&gt;" in t for t in mrkdwn) and not any("<tech" in t for t in mrkdwn)
    assert _buttons(tagged)[:3] == [_buttons(tagged)[0], "Tag both", "Keep"]
    assert _buttons(tagged)[0].startswith("Tag as \u201cRegularly presents") and _buttons(tagged)[0].endswith("instead")
    # Untagged: one tap adds it; "instead" and "both" would mean nothing.
    untagged = dicts(evidence_saved_blocks(3, [], suggestion=offer))
    assert [b for b in _buttons(untagged) if b.startswith("Tag")] == [_buttons(untagged)[0]]
    assert "instead" not in _buttons(untagged)[0] and "Keep" in _buttons(untagged)
    ends = dicts(evidence_saved_blocks(3, ["x"], suggestion=Suggestion("a", "Area · L1: Leads interviews.", 5, 1)))
    assert any(b["type"] == "section" and b["text"]["text"].endswith("*Area · L1: Leads interviews*.") for b in ends)
    weak = json.dumps(dicts(evidence_saved_blocks(3, [], suggestion=WeakMatch())))
    assert "matches no behaviour of your ladder clearly" in weak and "Change tag" in weak
