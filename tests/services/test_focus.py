"""Focus behaviours on both backends: the limit of three, the refusal naming the milestone, what the next
prompt prefers, and the one clear rule (the readiness bar, a promotion)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services import assessments, focus
from bot.services.actor import Actor
from bot.services.focus_requests import (
    FocusRefused,
    FocusShown,
    add_focus_ids,
    add_focus_text,
    clear_focus,
    show_focus,
)
from bot.services.promotion_requests import Promoted, promote
from bot.services.prompt_choice import EvidenceStat, pick_prompt_behaviour
from bot.settings import Settings
from storage.models import Rater, Verdict
from tests.conftest import Database
from tests.services.digest_data import LADDER_ID, add_evidence, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()
FRAMEWORK = LIBRARY[LADDER_ID]
REPORT = Actor("T1", "UREPORT")
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def _world(db: Database):  # type: ignore[no-untyped-def]
    with db.uow() as uow:
        return make_world(uow)


def _focused(db: Database) -> list[str]:
    return [item.behaviour_id for item in show_focus(db.uow, LIBRARY, REPORT).items]


def test_focus_takes_up_to_three_next_milestone_behaviours_and_refuses_a_fourth(db: Database) -> None:
    _world(db)
    shown = add_focus_ids(db.uow, LIBRARY, REPORT, ["delivery-2-01", "quality-2-01"], NOW)
    assert isinstance(shown, FocusShown) and len(shown.added) == 2
    shown = add_focus_text(db.uow, LIBRARY, REPORT, "mentors a junior engineer", NOW)
    assert isinstance(shown, FocusShown) and shown.added == ("Mentors a junior engineer.",)
    assert _focused(db) == ["delivery-2-01", "quality-2-01", "mentoring-2-01"]

    fourth = add_focus_text(db.uow, LIBRARY, REPORT, "delivery-2-02", NOW)
    assert isinstance(fourth, FocusRefused)
    assert "at most 3 behaviours" in fourth.message and "already have 3" in fourth.message
    # The same one again is no change and no refusal.
    again = add_focus_text(db.uow, LIBRARY, REPORT, "delivery-2-01", NOW)
    assert isinstance(again, FocusShown) and again.added == ()
    assert _focused(db) == ["delivery-2-01", "quality-2-01", "mentoring-2-01"]

    cleared = clear_focus(db.uow, LIBRARY, REPORT)
    assert cleared.cleared == 3 and cleared.items == ()


def test_a_behaviour_outside_the_next_milestone_is_refused_naming_the_milestone(db: Database) -> None:
    _world(db)
    refused = add_focus_text(db.uow, LIBRARY, REPORT, "delivery-3-01", NOW)
    assert isinstance(refused, FocusRefused)
    assert "Leads delivery of a multi-team project." in refused.message
    assert "not part of your next milestone" in refused.message
    assert "Level 2 in Delivery, Quality &amp; Testing and Mentoring" in refused.message
    nothing = add_focus_text(db.uow, LIBRARY, REPORT, "zzqx", NOW)
    assert isinstance(nothing, FocusRefused) and "No behaviour of your ladder matches" in nothing.message
    # A forged id from the modal is refused neutrally.
    forged = add_focus_ids(db.uow, LIBRARY, REPORT, ["not-a-behaviour"], NOW)
    assert isinstance(forged, FocusRefused) and forged.message == "That behaviour is not on your ladder."
    assert _focused(db) == []


def test_the_modal_choice_replaces_the_focus(db: Database) -> None:
    _world(db)
    add_focus_ids(db.uow, LIBRARY, REPORT, ["delivery-2-01", "quality-2-01"], NOW)
    add_focus_ids(db.uow, LIBRARY, REPORT, ["quality-2-01", "mentoring-2-01"], NOW)
    assert _focused(db) == ["quality-2-01", "mentoring-2-01"]
    too_many = add_focus_ids(
        db.uow, LIBRARY, REPORT, ["delivery-2-01", "delivery-2-02", "delivery-2-03", "quality-2-01"], NOW
    )
    assert isinstance(too_many, FocusRefused) and "at most 3" in too_many.message


def test_focus_clears_when_the_manager_verdict_reaches_consistently(db: Database) -> None:
    world = _world(db)
    add_focus_ids(db.uow, LIBRARY, REPORT, ["delivery-2-01", "quality-2-01"], NOW)
    with db.uow() as uow:
        report, manager = uow.people.get(world.report_id), uow.people.get(world.manager_id)
        for behaviour_id, verdict in (("delivery-2-01", Verdict.CONSISTENTLY), ("quality-2-01", Verdict.SOMETIMES)):
            assessments.record(
                uow, person=report, rater=manager, role=Rater.MANAGER, framework=FRAMEWORK,
                behaviour=FRAMEWORK.behaviour(behaviour_id), verdict=verdict, now=NOW,
            )  # fmt: skip
        # The engineer's own "consistently" does not end a focus: only the manager's verdict is the bar.
        assessments.record(
            uow, person=report, rater=report, role=Rater.SELF, framework=FRAMEWORK,
            behaviour=FRAMEWORK.behaviour("quality-2-01"), verdict=Verdict.CONSISTENTLY, now=NOW,
        )  # fmt: skip
    shown = show_focus(db.uow, LIBRARY, REPORT)
    assert [(i.behaviour_id, i.manager_verdict) for i in shown.items] == [("quality-2-01", Verdict.SOMETIMES)]
    with db.uow() as uow:
        assert [r.behaviour_id for r in uow.focus.for_person(world.report_id)] == ["quality-2-01"]


def test_focus_clears_on_promotion_in_the_promoted_area(db: Database) -> None:
    world = _world(db)
    add_focus_ids(db.uow, LIBRARY, REPORT, ["delivery-2-01", "quality-2-01"], NOW)
    outcome = promote(
        db.uow, LIBRARY, SETTINGS, Actor("T1", "UMANAGER"), person_id=world.report_id, area_id="delivery",
        level_id="2", now=NOW,
    )  # fmt: skip
    assert isinstance(outcome, Promoted)
    with db.uow() as uow:  # read straight from storage: the promotion itself cleared it
        assert [r.behaviour_id for r in uow.focus.for_person(world.report_id)] == ["quality-2-01"]


def test_prompts_prefer_focus_behaviours_without_recent_evidence(db: Database) -> None:
    world = _world(db)
    with db.uow() as uow:
        add_evidence(uow, LIBRARY, world.report_id, "fixed the flaky suite", NOW - timedelta(days=2), ["quality-2-01"])
    candidates = list(FRAMEWORK.behaviours)
    stats = {"quality-2-01": EvidenceStat(1, NOW - timedelta(days=2))}
    wanting = focus.wanting_evidence(
        ["quality-2-01", "mentoring-2-01"], {"quality-2-01": stats["quality-2-01"].last_at}, NOW
    )
    assert wanting == {"mentoring-2-01"}
    chosen = pick_prompt_behaviour(candidates, [], stats, seed=1, focus=wanting)
    assert chosen is not None and chosen.id == "mentoring-2-01"
    # Never the one asked last time, even in focus.
    chosen = pick_prompt_behaviour(candidates, ["mentoring-2-01"], stats, seed=1, focus=wanting)
    assert chosen is not None and chosen.id != "mentoring-2-01"
    # The tick's batch read sees the focus still below the bar.
    add_focus_ids(db.uow, LIBRARY, REPORT, ["quality-2-01", "mentoring-2-01"], NOW)
    with db.uow() as uow:
        placements = uow.placements.current_for_many([world.report_id])
        assert focus.prompt_focus_for_many(uow, LIBRARY, placements) == {
            world.report_id: frozenset({"quality-2-01", "mentoring-2-01"})
        }


def test_the_digest_shows_focus_progress_first(db: Database) -> None:
    from bot.blocks.digest import focus_lines
    from bot.services.digests import build_digest

    world = _world(db)
    add_focus_ids(db.uow, LIBRARY, REPORT, ["quality-2-01"], NOW)
    with db.uow() as uow:
        add_evidence(uow, LIBRARY, world.report_id, "fixed the flaky suite", NOW - timedelta(days=2), ["quality-2-01"])
    with db.uow() as uow:
        manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
        content = build_digest(uow, LIBRARY, (manager, report), NOW - timedelta(days=7), NOW)
    assert [(line.behaviour_id, line.count, line.new) for line in content.focus] == [("quality-2-01", 1, 1)]
    assert focus_lines(content)[1] == ":dart: Identifies and fixes flaky tests. · 1 item, 1 new"
