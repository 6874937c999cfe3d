"""A manager change during a check-in, on both backends: the manager side moves to the new manager while
the old one has not submitted (their blind verdicts stay in the history and never count as the new
manager's), and stays once they have; a former manager can no longer rate or read it."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services import checkin_requests, checkin_tick, checkins, consent
from bot.services.actor import Actor
from bot.services.checkin_requests import Answer, Finished, RatingForm, Refused, Started
from storage.models import Person, Rater, Verdict
from tests.conftest import Database
from tests.services.digest_data import load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()
PAGES = [["delivery-2-01", "delivery-2-02", "delivery-2-03"], ["quality-2-01", "quality-2-02"], ["mentoring-2-01"]]
REPORT, OLD, NEW = Actor("T1", "UREPORT"), Actor("T1", "UMANAGER"), Actor("T1", "UOTHER")


def _start(db: Database) -> Started:
    started = checkin_requests.start_checkin(
        db.uow, LIBRARY, REPORT, subject_slack_id=None, include_current=False, now=NOW
    )
    assert isinstance(started, Started)
    return started


def _rate(db: Database, actor: Actor, checkin_id: int, verdict: str, pages: range = range(len(PAGES))) -> object:
    outcome: object = None
    for index in pages:
        outcome = checkin_requests.submit_page(
            db.uow,
            LIBRARY,
            actor,
            checkin_id=checkin_id,
            page_index=index,
            view_id=f"V-{actor.slack_user_id}",
            answers={b: Answer(verdict) for b in PAGES[index]},
            now=NOW + timedelta(hours=1),
        )
    return outcome


def _new_manager_accepted(db: Database, report_id: int, manager_id: int) -> None:
    with db.uow() as uow:
        report, manager = uow.session.get(Person, report_id), uow.session.get(Person, manager_id)
        assert report is not None and manager is not None
        change = consent.change_manager(uow, report=report, manager=manager, requested_by=manager, now=NOW)
        assert change.link is not None
        decided = consent.decide(uow, link_id=change.link.id, actor=report, accept=True, now=NOW)
        assert decided is not None and decided.decision is consent.Decision.ACCEPTED


def test_the_manager_side_moves_to_the_new_manager_before_the_old_one_submitted(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
    started = _start(db)
    assert isinstance(_rate(db, OLD, started.checkin_id, "consistently", range(1)), RatingForm)  # one page, blind
    _new_manager_accepted(db, world.report_id, world.outsider_id)
    with db.uow() as uow:
        checkin = uow.checkins.get(started.checkin_id)
        assert checkin is not None and checkin.manager_id == world.outsider_id

    # The former manager can no longer rate or read it, nor sees it on their Home.
    assert isinstance(checkin_requests.open_rating(db.uow, LIBRARY, OLD, started.checkin_id, NOW), Refused)
    assert isinstance(_rate(db, OLD, started.checkin_id, "consistently", range(1, 2)), Refused)
    with db.uow() as uow:
        old = uow.session.get(Person, world.manager_id)
        assert old is not None and checkin_requests.pending_for(uow, LIBRARY, old, [world.report_id]) == ()

    # The new manager starts from the first page, with nothing of the old manager's pre-filled.
    form = checkin_requests.open_rating(db.uow, LIBRARY, NEW, started.checkin_id, NOW)
    assert isinstance(form, RatingForm) and form.rater is Rater.MANAGER and form.page.index == 0
    assert form.previous == {}
    _rate(db, REPORT, started.checkin_id, "not_yet")
    finished = _rate(db, NEW, started.checkin_id, "sometimes")
    assert finished == Finished(started.checkin_id, revealed=True, self_only=False)

    notes = checkin_tick.reveal_notes(db.uow, LIBRARY, started.checkin_id, NOW)
    assert [n.slack_user_id for n in notes] == ["UREPORT", "UOTHER"]
    result = notes[0].result
    assert result.manager_slack_id == "UOTHER"
    assert [d.manager_verdict for d in result.disagreements] == [Verdict.SOMETIMES] * 6  # never the old ones
    with db.uow() as uow:  # the old manager's verdicts stay in the history
        by_old = [a for a in uow.assessments.all_for(world.report_id) if a.rater_id == world.manager_id]
        assert [a.behaviour_id for a in by_old] == PAGES[0]


def test_once_the_old_manager_submitted_their_side_stays(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
    started = _start(db)
    assert isinstance(_rate(db, OLD, started.checkin_id, "consistently"), Finished)
    _new_manager_accepted(db, world.report_id, world.outsider_id)
    with db.uow() as uow:
        checkin = uow.checkins.get(started.checkin_id)
        assert checkin is not None and checkin.manager_id == world.manager_id
    # Neither the former manager nor the new one rates in it now.
    assert isinstance(checkin_requests.open_rating(db.uow, LIBRARY, OLD, started.checkin_id, NOW), Refused)
    assert isinstance(checkin_requests.open_rating(db.uow, LIBRARY, NEW, started.checkin_id, NOW), Refused)
    assert _rate(db, REPORT, started.checkin_id, "consistently") == Finished(
        started.checkin_id, revealed=True, self_only=False
    )
    notes = checkin_tick.reveal_notes(db.uow, LIBRARY, started.checkin_id, NOW)
    assert [n.slack_user_id for n in notes] == ["UREPORT"]  # the former manager is not told
    assert len(notes[0].result.agreements) == 6


def test_a_removed_manager_leaves_a_self_only_check_in(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
    started = _start(db)
    with db.uow() as uow:
        report = uow.session.get(Person, world.report_id)
        assert report is not None
        consent.change_manager(uow, report=report, manager=None, requested_by=report, now=NOW)
    assert isinstance(checkin_requests.open_rating(db.uow, LIBRARY, OLD, started.checkin_id, NOW), Refused)
    assert _rate(db, REPORT, started.checkin_id, "sometimes") == Finished(
        started.checkin_id, revealed=True, self_only=True
    )


def test_the_rule_moves_nothing_without_an_open_check_in(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        assert not checkins.follow_manager_change(uow, world.report_id, world.outsider_id)
