"""Verdicts: history kept, the latest per rater current, blind inside an open check-in, on both backends."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services import assessments, readiness
from frameworks import next_milestone
from storage.models import CheckIn, CheckInOrigin, CheckInState, ManagerLinkStatus, Person, Rater, Verdict
from tests.conftest import Database
from tests.services.digest_data import LADDER_ID, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()
FRAMEWORK = LIBRARY[LADDER_ID]


def _rate(uow, person, rater, role, behaviour_id, verdict, *, at=NOW, checkin_id=None, key=None, evidence=()):  # type: ignore[no-untyped-def]
    return assessments.record(
        uow,
        person=person,
        rater=rater,
        role=role,
        framework=FRAMEWORK,
        behaviour=FRAMEWORK.behaviour(behaviour_id),
        verdict=verdict,
        now=at,
        checkin_id=checkin_id,
        source_key=key,
        evidence_ids=evidence,
    )


def test_a_new_verdict_never_overwrites_the_old_one_and_the_latest_is_current(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        report, manager = uow.session.get(Person, world.report_id), uow.session.get(Person, world.manager_id)
        _rate(uow, report, manager, Rater.MANAGER, "delivery-2-01", Verdict.SOMETIMES, at=NOW)
        _rate(uow, report, manager, Rater.MANAGER, "delivery-2-01", Verdict.CONSISTENTLY, at=NOW + timedelta(days=1))
        _rate(uow, report, report, Rater.SELF, "delivery-2-01", Verdict.NOT_YET, evidence=[3, 1, 3])
    with db.uow() as uow:
        current = assessments.current(uow, world.report_id, LADDER_ID)
        assert current.manager_verdicts["delivery-2-01"].verdict is Verdict.CONSISTENTLY
        assert current.self_verdicts["delivery-2-01"].evidence_ids == (1, 3)
        snapshot = current.manager_verdicts["delivery-2-01"].behaviour_text
        assert snapshot == "Delivers moderately complex features on time."
        assert len(uow.assessments.history(world.report_id)) == 3


def test_the_same_source_key_stores_once(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        report = uow.session.get(Person, world.report_id)
        key = "view:V1:delivery-2-01"
        _, first = _rate(uow, report, report, Rater.SELF, "delivery-2-01", Verdict.SOMETIMES, key=key)
        _, again = _rate(uow, report, report, Rater.SELF, "delivery-2-01", Verdict.SOMETIMES, key=key)
    assert (first, again) == (True, False)
    with db.uow() as uow:
        assert len(uow.assessments.all_for(world.report_id)) == 1


def test_open_check_in_verdicts_are_seen_only_by_their_rater_until_revealed(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        report, manager = uow.session.get(Person, world.report_id), uow.session.get(Person, world.manager_id)
        checkin, _ = uow.checkins.add_once(
            CheckIn(
                person_id=report.id,
                manager_id=manager.id,
                origin=CheckInOrigin.SELF,
                framework_id=LADDER_ID,
                framework_version=1,
                behaviour_ids=["delivery-2-01"],
                deadline_at=NOW + timedelta(days=7),
            )
        )
        _rate(uow, report, manager, Rater.MANAGER, "delivery-2-01", Verdict.CONSISTENTLY, checkin_id=checkin.id)
        _rate(uow, report, report, Rater.SELF, "delivery-2-01", Verdict.SOMETIMES, checkin_id=checkin.id)
        checkin_id = checkin.id
    with db.uow() as uow:
        as_self = assessments.current(uow, world.report_id, LADDER_ID, viewer=Rater.SELF)
        as_manager = assessments.current(uow, world.report_id, LADDER_ID, viewer=Rater.MANAGER)
        nobody = assessments.current(uow, world.report_id, LADDER_ID)
        assert (dict(as_self.manager_verdicts), set(as_self.self_verdicts)) == ({}, {"delivery-2-01"})
        assert (set(as_manager.manager_verdicts), dict(as_manager.self_verdicts)) == ({"delivery-2-01"}, {})
        assert nobody == assessments.CurrentVerdicts({}, {})
        assert uow.checkins.mark(checkin_id, CheckInState.OPEN, state=CheckInState.REVEALED, revealed_at=NOW)
        assert not uow.checkins.mark(checkin_id, CheckInState.OPEN, state=CheckInState.REVEALED, revealed_at=NOW)
    with db.uow() as uow:
        revealed = assessments.current(uow, world.report_id, LADDER_ID, viewer=Rater.SELF)
        assert revealed.manager_verdicts["delivery-2-01"].verdict is Verdict.CONSISTENTLY
        gaps = assessments.disagreements(revealed, ["delivery-2-01"])
        assert [(g.behaviour_id, g.steps) for g in gaps] == [("delivery-2-01", 1)]


def test_only_the_person_and_their_current_manager_may_judge(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, link=ManagerLinkStatus.PENDING)
        report = uow.session.get(Person, world.report_id)
        manager, outsider = uow.session.get(Person, world.manager_id), uow.session.get(Person, world.outsider_id)
        assert assessments.rater_role(uow, report, report) is Rater.SELF
        assert assessments.rater_role(uow, manager, report) is None  # not accepted yet
        assert assessments.rater_role(uow, outsider, report) is None


def test_readiness_counts_manager_consistently_against_the_bar(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        report, manager = uow.session.get(Person, world.report_id), uow.session.get(Person, world.manager_id)
        for behaviour_id in ("delivery-2-01", "delivery-2-02", "delivery-2-03", "mentoring-2-01"):
            _rate(uow, report, manager, Rater.MANAGER, behaviour_id, Verdict.CONSISTENTLY)
        _rate(uow, report, manager, Rater.MANAGER, "quality-2-01", Verdict.CONSISTENTLY)
        _rate(uow, report, report, Rater.SELF, "quality-2-02", Verdict.CONSISTENTLY)  # self never makes ready
    with db.uow() as uow:
        verdicts = assessments.current(uow, world.report_id, LADDER_ID)
    milestone = next_milestone(FRAMEWORK, {"delivery": "1", "quality": "1", "mentoring": "1"})
    rows = {row.area_id: row for row in readiness.readiness(FRAMEWORK, milestone, verdicts)}
    assert rows["delivery"].ready and rows["delivery"].headline == "Ready for Level 2 in Delivery"
    assert not rows["quality"].ready and rows["quality"].headline == "Quality & Testing: 1 of 2 needed for Level 2"
    assert rows["quality"].self_counts[Verdict.CONSISTENTLY] == 1
    assert rows["mentoring"].ready


def test_needed_rounds_the_bar_up() -> None:
    assert readiness.needed_for(6, 0.8) == 5
    assert readiness.needed_for(5, 0.8) == 4
    assert readiness.needed_for(3, 1.0) == 3
    assert readiness.needed_for(0, 1.0) == 0


def test_parse_verdict_reads_form_values_and_words() -> None:
    assert assessments.parse_verdict("not yet") is Verdict.NOT_YET
    assert assessments.parse_verdict("Consistently") is Verdict.CONSISTENTLY
    assert assessments.parse_verdict("often") is None
