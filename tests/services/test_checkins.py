"""Check-ins on both backends: start and resume, self-only, blind until both submitted, revealed once,
the deadline reveal, one reminder each, scheduled starts exactly once, and forged input refused."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

from bot.services import assessments, checkin_requests, checkin_tick, checkins, one_on_ones
from bot.services.actor import Actor
from bot.services.checkin_requests import Answer, Finished, Invalid, RatingForm, Refused, Started
from bot.services.slots import Slot
from storage.models import Cadence, CheckIn, CheckInOrigin, CheckInState, ManagerLinkStatus, Person, Rater, Verdict
from storage.uow import UnitOfWork
from tests.conftest import Database
from tests.services.digest_data import LADDER_ID, add_evidence, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()
PAGES = [["delivery-2-01", "delivery-2-02", "delivery-2-03"], ["quality-2-01", "quality-2-02"], ["mentoring-2-01"]]

REPORT, MANAGER, OUTSIDER = Actor("T1", "UREPORT"), Actor("T1", "UMANAGER"), Actor("T1", "UOTHER")


def _start(db: Database, actor: Actor = REPORT, subject: str | None = None, at: datetime = NOW) -> object:
    return checkin_requests.start_checkin(
        db.uow, LIBRARY, actor, subject_slack_id=subject, include_current=False, now=at
    )


def _rate_all(db: Database, actor: Actor, checkin_id: int, verdict: str, *, view: str = "V1") -> object:
    outcome: object = None
    for index, page in enumerate(PAGES):
        outcome = checkin_requests.submit_page(
            db.uow,
            LIBRARY,
            actor,
            checkin_id=checkin_id,
            page_index=index,
            view_id=view,
            answers={b: Answer(verdict, f"why {b}") for b in page},
            now=NOW + timedelta(hours=1),
        )
    return outcome


def test_start_freezes_the_next_milestone_and_starting_again_resumes(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    started = _start(db)
    assert isinstance(started, Started) and started.created and not started.self_only
    assert (started.other_rater, started.areas, started.deadline_at) == ("UMANAGER", 3, NOW + timedelta(days=7))
    again = _start(db, MANAGER, "UREPORT")
    assert isinstance(again, Started) and not again.created and again.checkin_id == started.checkin_id
    with db.uow() as uow:
        checkin = uow.checkins.get(started.checkin_id)
        assert checkin is not None and checkin.behaviour_ids == [b for page in PAGES for b in page]
        assert len(uow.checkins.for_person(checkin.person_id)) == 1


def test_current_adds_the_current_levels_behaviours(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow, level="2")
    started = checkin_requests.start_checkin(
        db.uow, LIBRARY, REPORT, subject_slack_id=None, include_current=True, now=NOW
    )
    assert isinstance(started, Started)
    with db.uow() as uow:
        checkin = uow.checkins.get(started.checkin_id)
        assert checkin is not None and checkin.include_current
        levels = {LIBRARY[LADDER_ID].behaviour(b).level_id for b in checkin.behaviour_ids}
        assert levels == {"2", "3"}


def test_without_an_accepted_manager_the_check_in_is_self_only(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow, link=ManagerLinkStatus.PENDING)
    started = _start(db)
    assert isinstance(started, Started) and started.self_only and started.other_rater is None
    finished = _rate_all(db, REPORT, started.checkin_id, "sometimes")
    assert finished == Finished(started.checkin_id, revealed=True, self_only=True)


def test_only_the_person_and_their_current_manager_may_start_or_rate(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    assert isinstance(_start(db, OUTSIDER, "UREPORT"), Refused)
    assert isinstance(_start(db, OUTSIDER, "UNOBODY"), Refused)
    assert isinstance(_start(db, REPORT, "UMANAGER"), Refused)  # a report cannot start their manager's
    started = _start(db)
    assert isinstance(started, Started)
    assert isinstance(checkin_requests.open_rating(db.uow, LIBRARY, OUTSIDER, started.checkin_id, NOW), Refused)
    assert isinstance(checkin_requests.open_rating(db.uow, LIBRARY, REPORT, 999_999, NOW), Refused)
    with db.uow() as uow:
        denied = [e for e in uow.audit.for_subject("UREPORT") if e.actor_slack_id == "UOTHER"]
        assert denied and {e.action for e in denied} == {"denied_evidence_access"}


def test_verdicts_stay_blind_until_both_submitted_then_reveal_once(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        add_evidence(uow, LIBRARY, world.report_id, "Shipped the importer", NOW - timedelta(days=3), ["delivery-2-01"])
    started = _start(db)
    assert isinstance(started, Started)
    form = checkin_requests.open_rating(db.uow, LIBRARY, MANAGER, started.checkin_id, NOW)
    assert isinstance(form, RatingForm) and form.rater is Rater.MANAGER and form.page.index == 0
    assert [e.text for e in form.evidence["delivery-2-01"]] == ["Shipped the importer"]

    mine = _rate_all(db, REPORT, started.checkin_id, "not_yet")
    assert mine == Finished(started.checkin_id, revealed=False, self_only=False, waiting_for="UMANAGER")
    with db.uow() as uow:
        as_manager = assessments.current(uow, world.report_id, LADDER_ID, viewer=Rater.MANAGER)
        assert dict(as_manager.self_verdicts) == {}  # blind
    theirs = _rate_all(db, MANAGER, started.checkin_id, "consistently")
    assert theirs == Finished(started.checkin_id, revealed=True, self_only=False)
    with db.uow() as uow:
        checkin = uow.checkins.get(started.checkin_id)
        assert checkin is not None and checkin.state is CheckInState.REVEALED
        assert not checkins.reveal(uow, checkin, NOW)  # exactly once
    notes = checkin_tick.reveal_notes(db.uow, LIBRARY, started.checkin_id, NOW)
    assert [(n.slack_user_id, n.viewer) for n in notes] == [("UREPORT", Rater.SELF), ("UMANAGER", Rater.MANAGER)]
    result = notes[0].result
    assert [d.steps for d in result.disagreements] == [2] * 6 and not result.agreements and not result.at_deadline
    assert result.comments[(Rater.MANAGER, "delivery-2-01")] == "why delivery-2-01"
    with db.uow() as uow:
        seen = [(e.actor_slack_id, e.action) for e in uow.audit.for_subject("UREPORT")]
        assert ("UMANAGER", "viewed_checkin") in seen


def test_a_double_submit_stores_once_and_forged_answers_are_refused(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        other = add_evidence(uow, LIBRARY, world.report_id, "Tagged elsewhere", NOW, ["quality-2-01"])
    started = _start(db)
    assert isinstance(started, Started)

    def submit(answers: dict[str, Answer], page: int = 0, checkin_id: int | None = started.checkin_id) -> object:
        return checkin_requests.submit_page(
            db.uow, LIBRARY, REPORT, checkin_id=checkin_id, page_index=page, view_id="V9", answers=answers, now=NOW
        )

    answers = {b: Answer("sometimes") for b in PAGES[0]}
    first, second = submit(answers), submit(answers)
    assert isinstance(first, RatingForm) and isinstance(second, RatingForm) and second.page.index == 1
    assert second.previous == {}  # page 2 not rated yet
    with db.uow() as uow:
        assert len(uow.assessments.in_checkin(started.checkin_id)) == 3

    assert isinstance(submit({**answers, "mentoring-2-01": Answer("sometimes")}), Refused)  # not on this page
    assert isinstance(submit({"delivery-2-01": Answer("often")}), Refused)  # not a verdict
    assert isinstance(submit(answers, page=7), Refused)
    assert isinstance(submit(answers, checkin_id=424242), Refused)
    cite = {**answers, "delivery-2-01": Answer("sometimes", evidence_ids=(str(other.id),))}
    assert isinstance(submit(cite), Refused)  # evidence not tagged to that behaviour
    assert submit({"delivery-2-01": Answer("sometimes")}) == Invalid(("delivery-2-02", "delivery-2-03"))
    with db.uow() as uow:
        assert len(uow.assessments.in_checkin(started.checkin_id)) == 3


def test_resuming_opens_the_first_page_not_rated_yet(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
    started = _start(db)
    assert isinstance(started, Started)
    checkin_requests.submit_page(
        db.uow,
        LIBRARY,
        REPORT,
        checkin_id=started.checkin_id,
        page_index=0,
        view_id="V1",
        answers={b: Answer("consistently") for b in PAGES[0]},
        now=NOW,
    )
    form = checkin_requests.open_rating(db.uow, LIBRARY, REPORT, started.checkin_id, NOW)
    assert isinstance(form, RatingForm) and form.page.area_id == "quality"
    with db.uow() as uow:
        person = uow.session.get(Person, world.report_id)
        assert person is not None
        (row,) = checkin_requests.pending_for(uow, LIBRARY, person, [])
        assert (row.areas_done, row.areas_total, row.submitted) == (1, 3, False)
        manager = uow.session.get(Person, world.manager_id)
        assert manager is not None
        (theirs,) = checkin_requests.pending_for(uow, LIBRARY, manager, [world.report_id])
        assert (theirs.rater, theirs.areas_done) == (Rater.MANAGER, 0)


def test_the_deadline_reveals_what_exists_once_and_each_rater_is_reminded_once(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    started = _start(db)
    assert isinstance(started, Started)
    _rate_all(db, REPORT, started.checkin_id, "sometimes")

    day3 = checkin_tick.scan(db.uow, NOW + timedelta(days=3))
    assert day3.remind_candidates == () and day3.past_deadline == ()
    day4 = NOW + timedelta(days=4)
    assert checkin_tick.scan(db.uow, day4).remind_candidates == (started.checkin_id,)
    reminders = checkin_tick.claim_reminders(db.uow, started.checkin_id, day4)
    assert [(r.rater, r.slack_user_id) for r in reminders] == [(Rater.MANAGER, "UMANAGER")]  # the report submitted
    assert checkin_tick.claim_reminders(db.uow, started.checkin_id, day4 + timedelta(hours=1)) == []
    assert checkin_tick.scan(db.uow, day4).remind_candidates == ()

    deadline = NOW + timedelta(days=7)
    assert checkin_tick.scan(db.uow, deadline).past_deadline == (started.checkin_id,)
    assert checkin_tick.reveal_at_deadline(db.uow, started.checkin_id, deadline)
    assert not checkin_tick.reveal_at_deadline(db.uow, started.checkin_id, deadline)
    (note, *_) = checkin_tick.reveal_notes(db.uow, LIBRARY, started.checkin_id, deadline)
    assert note.result.at_deadline and len(note.result.self_only) == 6 and not note.result.manager_only
    # Nobody sent it yet: ten minutes on, the sweep claims it once.
    later = deadline + checkin_tick.UNSENT_AFTER
    assert checkin_tick.scan(db.uow, later).unsent == (started.checkin_id,)
    assert checkin_tick.claim_unsent(db.uow, started.checkin_id, later)
    assert not checkin_tick.claim_unsent(db.uow, started.checkin_id, later)
    assert checkin_tick.scan(db.uow, later) == checkin_tick.Scan((), (), (), ())  # the check-in is not open


def test_a_scheduled_check_in_starts_once_per_due_time_and_the_schedule_moves_on(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        manager, report = uow.session.get(Person, world.manager_id), uow.session.get(Person, world.report_id)
        assert manager is not None and report is not None
        meeting = one_on_ones.schedule(
            uow, manager=manager, report=report, slot=Slot(0, time(10, 0), Cadence.WEEKLY), now=NOW
        )
        assert (meeting.checkin_every_weeks, meeting.next_checkin_at) == (13, NOW + timedelta(weeks=13))
        one_on_ones.set_checkin_every(meeting, 2, NOW)
        meeting_id = meeting.id
    due = NOW + timedelta(weeks=2)
    assert checkin_tick.scan(db.uow, due - timedelta(minutes=1)).due_one_on_ones == ()
    assert checkin_tick.scan(db.uow, due).due_one_on_ones == (meeting_id,)
    started = checkin_tick.start_scheduled(db.uow, LIBRARY, meeting_id, due)
    assert isinstance(started, Started) and started.created
    assert checkin_tick.start_scheduled(db.uow, LIBRARY, meeting_id, due) is None
    with db.uow() as uow:
        checkin = uow.checkins.get(started.checkin_id)
        assert checkin is not None and checkin.idempotency_key == f"schedule:{meeting_id}:{due.isoformat()}"
        stored = uow.one_on_ones.get(meeting_id)
        assert stored is not None and stored.next_checkin_at == NOW + timedelta(weeks=4)
    # Rescheduling the 1:1 keeps its check-in schedule; `off` stops it.
    with db.uow() as uow:
        manager, report = uow.session.get(Person, world.manager_id), uow.session.get(Person, world.report_id)
        assert manager is not None and report is not None
        moved = one_on_ones.schedule(
            uow, manager=manager, report=report, slot=Slot(2, time(9, 0), Cadence.WEEKLY), now=due
        )
        assert (moved.checkin_every_weeks, moved.next_checkin_at) == (2, NOW + timedelta(weeks=4))
        one_on_ones.set_checkin_every(moved, None, due)
        assert moved.next_checkin_at is None


def test_pages_split_big_areas_and_skip_behaviours_the_ladder_dropped() -> None:
    framework = LIBRARY[LADDER_ID]
    pages = checkins.pages_of(framework, ["quality-2-01", "gone-9-99", "delivery-2-01"])
    assert [(p.index, p.area_id, p.behaviour_ids) for p in pages] == [
        (0, "delivery", ("delivery-2-01",)),
        (1, "quality", ("quality-2-01",)),
    ]
    assert checkins.areas_done(pages, {"delivery-2-01"}) == (1, 2)
    assert Verdict.NOT_YET in assessments.VERDICT_LABELS


def test_two_starts_that_race_end_with_one_open_check_in(db: Database) -> None:
    """Both units of work read "no open check-in", then both insert: the database keeps one (the partial
    unique index) and the loser resumes the winner's."""
    with db.uow() as uow:
        world = make_world(uow)
    framework = LIBRARY[LADDER_ID]

    def candidate(uow: UnitOfWork) -> CheckIn:
        placement = uow.placements.current_for(world.report_id)
        assert placement is not None
        return CheckIn(
            person_id=world.report_id,
            origin=CheckInOrigin.SELF,
            framework_id=framework.id,
            framework_version=framework.version,
            behaviour_ids=checkins.frozen_behaviours(framework, placement, include_current=False),
            created_at=NOW,
            deadline_at=NOW + checkins.DEADLINE,
        )

    first, second = db.uow(), db.uow()
    with first:
        assert first.checkins.open_for(world.report_id) is None
        with second:
            assert second.checkins.open_for(world.report_id) is None
            won, created = first.checkins.add_once(candidate(first))
            assert created
            first.session.commit()  # the winner commits while the loser's unit of work is still open
            lost, created_again = second.checkins.add_once(candidate(second))
            assert not created_again and lost.id == won.id
    with db.uow() as uow:
        assert [c.id for c in uow.checkins.for_person(world.report_id)] == [won.id]


def test_concurrent_starts_from_slack_resume_one_check_in(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []
    errors: list[BaseException] = []

    def start(actor: Actor, subject: str | None) -> None:
        try:
            barrier.wait()
            outcomes.append(_start(db, actor, subject))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start, args=args) for args in ((REPORT, None), (MANAGER, "UREPORT"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(isinstance(o, Started) for o in outcomes) and len(outcomes) == 2
    started = [o for o in outcomes if isinstance(o, Started)]
    assert len({o.checkin_id for o in started}) == 1
    assert sorted(o.created for o in started) == [False, True]
