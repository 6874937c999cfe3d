"""Readiness and promotion end to end: an area becomes ready, `/ladder promote` or the Promote button opens
the confirmation, Promote moves the placement, tells the engineer, and the next prompt follows; every denial."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pytest

from bot.delivery.tick import run_tick
from bot.ids import Callback, PromotionAction
from bot.services import access, assessments, promotions, prompt_controls
from storage.models import AuditEntry, ManagerLinkStatus, Prompt, Rater, Verdict
from tests.conftest import Database
from tests.listeners.harness import Harness, message_text, start_harness

NOW = datetime(2026, 6, 3, 12, 0)  # Wednesday
TOP_ELSEWHERE = {"communication": "5", "quality": "5", "optimisation": "5"}


@pytest.fixture
def harness(harness_any: Harness) -> Harness:
    """Every flow here runs on SQLite and on PostgreSQL."""
    return harness_any


def rate(
    harness: Harness, user_id: str, rater_id: str, role: Rater, behaviour_ids: Iterable[str], verdict: Verdict
) -> None:
    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_or_create(harness.team_id)
        person = uow.people.get_by_slack_id(workspace.id, user_id)
        rater = uow.people.get_by_slack_id(workspace.id, rater_id)
        assert person is not None and rater is not None
        framework = harness.library["luko-execution"]
        for behaviour_id in behaviour_ids:
            assessments.record(
                uow,
                person=person,
                rater=rater,
                role=role,
                framework=framework,
                behaviour=framework.behaviour(behaviour_id),
                verdict=verdict,
                now=harness.now,
            )


def ready_in_delivery(harness: Harness) -> int:
    """UENG at Milestone 2 in Delivery (top elsewhere), managed by UMGR, whose verdicts make Delivery ready."""
    harness.set_now(NOW)
    harness.seed_person("UMGR", level="4", name="boss")
    person_id = harness.seed_person("UENG", level="2", levels=TOP_ELSEWHERE, manager="UMGR", name="ada")
    rate(
        harness,
        "UENG",
        "UMGR",
        Rater.MANAGER,
        ["delivery-3-01", "delivery-3-02", "delivery-3-03"],
        Verdict.CONSISTENTLY,
    )
    rate(harness, "UENG", "UENG", Rater.SELF, ["delivery-3-01"], Verdict.SOMETIMES)
    rate(harness, "UENG", "UENG", Rater.SELF, ["delivery-3-02", "delivery-3-03"], Verdict.CONSISTENTLY)
    return person_id


def levels_of(harness: Harness, person_id: int) -> dict[str, str]:
    with harness.deps.uow() as uow:
        placement = uow.placements.current_for(person_id)
        assert placement is not None
        return dict(placement.levels)


def dm_texts(harness: Harness, user_id: str) -> list[str]:
    return [message_text(m) for m in harness.fake.messages(harness.fake.dm_channel_for(user_id))]


def buttons(view: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    return [
        e
        for b in view.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("action_id") == action_id
    ]


def test_a_ready_area_shows_on_both_homes_with_a_promote_button_for_the_manager(harness: Harness) -> None:
    ready_in_delivery(harness)
    harness.open_home("UENG")
    mine = harness.home_text("UENG")
    assert "Ready for Milestone 3 in Delivery" in mine
    assert "you: 2 consistently, 1 sometimes · manager: 3 consistently" in mine
    assert not buttons(harness.home("UENG"), PromotionAction.OPEN)  # nobody promotes themself
    harness.open_home("UMGR")
    team = harness.home_text("UMGR")
    assert "Delivery `▰▰▰▰▰ 3/3` :white_check_mark:" in team
    assert "1 disagreement" in team
    [button] = buttons(harness.home("UMGR"), PromotionAction.OPEN)
    assert json.loads(button["value"])["a"] == "delivery"


def test_ladder_me_shows_the_same_headline(harness: Harness) -> None:
    ready_in_delivery(harness)
    harness.command("UENG", "me")
    assert "Ready for Milestone 3 in Delivery" in harness.last_ephemeral_text("UENG")


def test_promote_command_modal_confirm_moves_the_placement_tells_the_engineer_and_the_next_prompt(
    harness: Harness,
) -> None:
    person_id = ready_in_delivery(harness)
    with harness.deps.uow() as uow:  # prompts resume from the simulated clock
        person = uow.people.get(person_id)
        assert person is not None
        prompt_controls.resume(uow, person, NOW)
    harness.command("UMGR", "promote <@UENG> deliv 3")
    modal = harness.fake.opened_views[-1]
    assert modal["callback_id"] == Callback.PROMOTION
    text = message_text(modal)
    assert "Milestone 2 → *Milestone 3*" in text and "Ready for Milestone 3 in Delivery" in text
    assert "Open disagreements (1)" in text and "self _Sometimes_, manager _Consistently_" in text
    assert levels_of(harness, person_id)["delivery"] == "2"  # nothing moves before Promote

    harness.submit("UMGR", modal, {})
    assert levels_of(harness, person_id) == {"delivery": "3", **TOP_ELSEWHERE}
    with harness.deps.uow() as uow:
        history = uow.placements.history_for(person_id)
        assert [p.reason for p in history] == ["setup", promotions.PROMOTION]
        assert history[0].ended_at == NOW and history[0].levels["delivery"] == "2"
        audit = uow.session.query(AuditEntry).filter_by(action=promotions.PROMOTED).one()
        assert (audit.actor_slack_id, audit.subject_slack_id) == ("UMGR", "UENG")
    [dm] = dm_texts(harness, "UENG")
    assert "<@UMGR> recorded your promotion: Milestone 3 in Delivery" in dm
    assert "Delivery: next Milestone 4 (3 behaviours)" in dm
    assert not buttons(harness.home("UMGR"), PromotionAction.OPEN)  # Delivery's next level has no verdicts yet
    assert "Milestone 3 → Milestone 4" in harness.home_text("UENG")

    with harness.deps.uow() as uow:
        schedule = uow.schedules.get_for(person_id)
        assert schedule is not None and schedule.next_due_at is not None
        due = schedule.next_due_at
    harness.set_now(due)
    run_tick(harness.deps, instance_id="e2e")
    with harness.deps.uow() as uow:
        [prompt] = uow.session.query(Prompt).filter_by(person_id=person_id).all()
        assert prompt.behaviour_ids and all(b.startswith("delivery-4-") for b in prompt.behaviour_ids)


def test_the_promote_button_opens_the_same_confirmation(harness: Harness) -> None:
    person_id = ready_in_delivery(harness)
    harness.open_home("UMGR")
    [button] = buttons(harness.home("UMGR"), PromotionAction.OPEN)
    harness.action("UMGR", PromotionAction.OPEN, button["value"], view=harness.home("UMGR"))
    modal = harness.fake.opened_views[-1]
    assert modal["callback_id"] == Callback.PROMOTION and "Ready for Milestone 3 in Delivery" in message_text(modal)
    harness.submit("UMGR", modal, {})
    assert levels_of(harness, person_id)["delivery"] == "3"
    harness.submit("UMGR", modal, {})  # a second submit changes nothing
    with harness.deps.uow() as uow:
        assert len(uow.placements.history_for(person_id)) == 2


def test_promote_to_every_area_below_a_level(harness: Harness) -> None:
    harness.set_now(NOW)
    harness.seed_person("UMGR", level="4")
    person_id = harness.seed_person("UENG", level="2", levels={"quality": "4"}, manager="UMGR")
    harness.command("UMGR", "promote <@UENG> 3")
    modal = harness.fake.opened_views[-1]
    assert "Already there or above: Quality." in message_text(modal)
    harness.submit("UMGR", modal, {})
    assert levels_of(harness, person_id) == {"delivery": "3", "communication": "3", "quality": "4", "optimisation": "3"}


def test_bad_levels_areas_and_people_get_clear_messages(harness: Harness) -> None:
    harness.set_now(NOW)
    harness.seed_person("UMGR", level="4")
    harness.seed_person("UENG", level="2", manager="UMGR")
    harness.command("UMGR", "promote <@UENG> delivery 2")
    assert "is already at Milestone 2 in Delivery: Milestone 2 isn't higher" in harness.last_ephemeral_text("UMGR")
    harness.command("UMGR", "promote <@UENG> delivery 9")
    assert "has no level “9”. Its levels are: Milestone 1, Milestone 2" in harness.last_ephemeral_text("UMGR")
    harness.command("UMGR", "promote <@UENG> wizardry 3")
    assert "has no area called “wizardry”. Its areas are: Delivery" in harness.last_ephemeral_text("UMGR")
    harness.command("UMGR", "promote someone")
    assert "Usage:" in harness.last_ephemeral_text("UMGR")
    harness.command("UENG", "promote <@UENG> 3")
    assert "can't promote yourself" in harness.last_ephemeral_text("UENG")
    assert not harness.fake.opened_views


def test_a_person_without_a_placement(harness: Harness) -> None:
    harness.set_now(NOW)
    harness.seed_person("UMGR", level="4")
    person_id = harness.seed_person("UENG", level="2", manager="UMGR")
    with harness.deps.uow() as uow:
        placement = uow.placements.current_for(person_id)
        assert placement is not None
        uow.placements.close(placement, NOW)
    harness.command("UMGR", "promote <@UENG> 3")
    assert "isn't on a ladder yet" in harness.last_ephemeral_text("UMGR")


def test_non_managers_former_managers_and_forged_ids_get_the_neutral_refusal(harness: Harness) -> None:
    person_id = ready_in_delivery(harness)
    harness.seed_person("UOTHER", level="4")
    harness.command("UOTHER", "promote <@UENG> delivery 3")
    assert harness.last_ephemeral_text("UOTHER").endswith(access.NOT_AVAILABLE)
    harness.command("UOTHER", "promote <@UNOBODY> delivery 3")
    assert harness.last_ephemeral_text("UOTHER").endswith(access.NOT_AVAILABLE)
    assert not harness.fake.opened_views

    harness.command("UMGR", "promote <@UENG> delivery 3")
    modal = harness.fake.opened_views[-1]
    # Another manager's submit of the same modal, and a forged person id in the metadata.
    other = harness.seed_person("UENG2", level="2", manager="UOTHER")
    harness.submit("UOTHER", modal, {})
    forged = dict(modal, private_metadata=json.dumps({"p": other, "a": "delivery", "l": "3"}))
    harness.submit("UMGR", forged, {})
    harness.submit("UMGR", dict(modal, private_metadata="not json"), {})
    harness.action("UOTHER", PromotionAction.OPEN, json.dumps({"p": person_id, "a": "delivery", "l": "3"}))
    harness.action("UMGR", PromotionAction.OPEN, json.dumps({"p": person_id, "a": "nope", "l": "3"}))
    assert access.NOT_AVAILABLE in message_text(harness.fake.opened_views[-1])
    assert levels_of(harness, person_id)["delivery"] == "2" and levels_of(harness, other)["delivery"] == "2"

    # UMGR stops being UENG's manager: their open modal no longer promotes.
    harness.command("UENG", "team remove <@UMGR>")
    harness.submit("UMGR", modal, {})
    assert levels_of(harness, person_id)["delivery"] == "2"
    assert not dm_texts(harness, "UENG")


def test_an_admin_may_promote_without_seeing_the_verdicts(sqlite_db: Database) -> None:
    with start_harness(sqlite_db, GROWTHBOT_ADMINS="UADMIN") as harness:
        person_id = ready_in_delivery(harness)
        harness.add_slack_user("UADMIN")
        harness.command("UADMIN", "promote <@UENG> delivery 3")
        modal = harness.fake.opened_views[-1]
        text = message_text(modal)
        assert "only their manager sees them" in text and "Ready for" not in text and "Sometimes" not in text
        harness.submit("UADMIN", modal, {})
        assert levels_of(harness, person_id)["delivery"] == "3"
        assert "<@UADMIN> recorded your promotion" in dm_texts(harness, "UENG")[-1]


def test_ladder_team_shows_each_reports_readiness_with_a_promote_button_and_audits_the_read(harness: Harness) -> None:
    ready_in_delivery(harness)
    harness.seed_person("UENG2", level="2", manager="UMGR", manager_status=ManagerLinkStatus.PENDING)
    harness.command("UMGR", "team")
    text = harness.last_ephemeral_text("UMGR")
    assert "<@UENG> · no evidence yet\n      Delivery `▰▰▰▰▰ 3/3` :white_check_mark: · 1 disagreement" in text
    assert "<@UENG2> (waiting for their consent)" in text and text.count("`▱▱▱▱▱") == 0  # pending: nothing shown
    [button] = buttons(harness.last_ephemeral("UMGR"), PromotionAction.OPEN)
    assert button["text"]["text"] == "Promote ada: Delivery → Milestone 3"
    with harness.deps.uow() as uow:
        reads = uow.session.query(AuditEntry).filter_by(action=access.VIEWED_READINESS).all()
        assert [(r.actor_slack_id, r.subject_slack_id) for r in reads] == [("UMGR", "UENG")]
