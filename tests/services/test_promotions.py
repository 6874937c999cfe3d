"""Promotions and the readiness read, on both backends: what a promotion changes, who may record it, the
history and audit it leaves, and readiness read for one or many people in a fixed number of statements."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.services import access, assessments, promotions
from bot.services.actor import Actor
from bot.services.errors import UserFacingError
from bot.services.promotion_requests import Promoted, Refused, form_from_command, parse_area_and_level, promote
from bot.services.promotions import NotHigher, PromotionPlan
from bot.services.readiness_reads import readiness_of, readiness_of_many, reports_readiness
from bot.settings import Settings
from storage.models import AuditEntry, CheckIn, CheckInOrigin, ManagerLinkStatus, Person, Rater, Verdict
from tests.conftest import Database
from tests.services.digest_data import LADDER_ID, load_ladder, make_world
from tests.services.test_digests import count_statements

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()
FRAMEWORK = LIBRARY[LADDER_ID]
SETTINGS = Settings(_env_file=None, GROWTHBOT_ADMINS="UADMIN")  # type: ignore[call-arg]


def _rate(uow, person, rater, role, behaviour_id, verdict, at=NOW):  # type: ignore[no-untyped-def]
    assessments.record(
        uow, person=person, rater=rater, role=role, framework=FRAMEWORK, behaviour=FRAMEWORK.behaviour(behaviour_id),
        verdict=verdict, now=at,
    )  # fmt: skip


def _world(db: Database, **kw):  # type: ignore[no-untyped-def]
    """Riley at Level 1 everywhere, Morgan their manager; Morgan judges Delivery's Level 2 all consistently."""
    with db.uow() as uow:
        world = make_world(uow, **kw)
        report, manager = uow.people.get(world.report_id), uow.people.get(world.manager_id)
        for behaviour_id in ("delivery-2-01", "delivery-2-02", "delivery-2-03"):
            _rate(uow, report, manager, Rater.MANAGER, behaviour_id, Verdict.CONSISTENTLY)
        _rate(uow, report, report, Rater.SELF, "delivery-2-01", Verdict.NOT_YET)
    return world


def test_plan_raises_one_area_or_every_area_below_and_never_lowers() -> None:
    levels = {"delivery": "1", "quality": "3", "mentoring": "1"}
    one = promotions.plan(FRAMEWORK, levels, area_id="delivery", level_id="2")
    assert isinstance(one, PromotionPlan) and one.area_ids == ("delivery",)
    assert dict(one.levels) == {"delivery": "2", "quality": "3", "mentoring": "1"}
    every = promotions.plan(FRAMEWORK, levels, area_id=None, level_id="2")
    assert isinstance(every, PromotionPlan) and every.area_ids == ("delivery", "mentoring") and every.unchanged
    assert promotions.plan(FRAMEWORK, levels, area_id="quality", level_id="2") == NotHigher("Level 2", "Level 3")


def test_area_and_level_are_matched_forgivingly_with_clear_errors() -> None:
    assert parse_area_and_level(FRAMEWORK, ["deliv", "level", "2"]) == ("delivery", "2")
    assert parse_area_and_level(FRAMEWORK, ["2"]) == (None, "2")
    with pytest.raises(UserFacingError, match="Its levels are: Level 1, Level 2, Level 3"):
        parse_area_and_level(FRAMEWORK, ["delivery", "7"])
    with pytest.raises(UserFacingError, match="Its areas are: Delivery"):
        parse_area_and_level(FRAMEWORK, ["cooking", "2"])


def test_the_manager_promotes_history_is_kept_and_audited(db: Database) -> None:
    world = _world(db)
    outcome = promote(
        db.uow, LIBRARY, SETTINGS, Actor("T1", "UMANAGER"), person_id=world.report_id, area_id="delivery",
        level_id="2", now=NOW,
    )  # fmt: skip
    assert isinstance(outcome, Promoted) and outcome.next_steps == ("Delivery: next Level 3 (1 behaviour)",)
    with db.uow() as uow:
        history = uow.placements.history_for(world.report_id)
        assert [(p.reason, p.levels["delivery"], p.ended_at) for p in history] == [
            ("setup", "1", NOW),
            (promotions.PROMOTION, "2", None),
        ]
        [entry] = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == promotions.PROMOTED)).all()
        assert entry.actor_slack_id == "UMANAGER" and entry.details["changed"] == {"delivery": ["1", "2"]}
        # Verdicts stay with their behaviours and snapshots; the new next level has none yet.
        person = uow.people.get(world.report_id)
        placement = uow.placements.current_for(world.report_id)
        read = readiness_of(uow, LIBRARY, world.report_id, placement, viewer=Rater.MANAGER)
        assert person is not None and read is not None and read.area("delivery").level_id == "3"  # type: ignore[union-attr]
        assert len(uow.assessments.history(world.report_id)) == 4


@pytest.mark.parametrize("who", ["UOTHER", "UREPORT", "UNOBODY"])
def test_anyone_but_the_manager_or_an_admin_is_refused(db: Database, who: str) -> None:
    world = _world(db)
    outcome = promote(
        db.uow, LIBRARY, SETTINGS, Actor("T1", who), person_id=world.report_id, area_id="delivery", level_id="2",
        now=NOW,
    )  # fmt: skip
    assert isinstance(outcome, Refused)
    assert outcome.message == access.NOT_AVAILABLE or "can't promote yourself" in outcome.message
    with db.uow() as uow:
        assert len(uow.placements.history_for(world.report_id)) == 1


def test_a_former_manager_is_refused_and_an_admin_promotes_without_seeing_verdicts(db: Database) -> None:
    world = _world(db)
    with db.uow() as uow:
        link = uow.managers.active_link_of(world.report_id)
        assert link is not None
        link.status = ManagerLinkStatus.ENDED
    args = dict(person_id=world.report_id, area_id="delivery", level_id="2", now=NOW)
    assert promote(db.uow, LIBRARY, SETTINGS, Actor("T1", "UMANAGER"), **args) == Refused(access.NOT_AVAILABLE)  # type: ignore[arg-type]
    form = form_from_command(
        db.uow, LIBRARY, SETTINGS, Actor("T1", "UADMIN"), person_slack_id="UREPORT", words=["delivery", "2"], now=NOW
    )
    assert not isinstance(form, Refused) and form.readiness is None and not form.disagreements
    assert isinstance(promote(db.uow, LIBRARY, SETTINGS, Actor("T1", "UADMIN"), **args), Promoted)  # type: ignore[arg-type]


def test_the_form_shows_readiness_and_disagreements_and_audits_the_read(db: Database) -> None:
    world = _world(db)
    form = form_from_command(
        db.uow, LIBRARY, SETTINGS, Actor("T1", "UMANAGER"), person_slack_id="UREPORT", words=["delivery", "2"],
        now=NOW,
    )  # fmt: skip
    assert not isinstance(form, Refused) and form.readiness is not None
    assert [a.headline for a in form.readiness] == ["Ready for Level 2 in Delivery"]
    assert [(d.behaviour_id, d.steps) for d in form.disagreements] == [("delivery-2-01", 2)]
    with db.uow() as uow:
        reads = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == access.VIEWED_READINESS)).all()
        assert [(r.actor_slack_id, r.subject_slack_id) for r in reads] == [("UMANAGER", "UREPORT")]
        assert world.report_id == form.person_id


def test_readiness_for_many_matches_one_by_one_in_statements_independent_of_history(db: Database) -> None:
    world = _world(db)
    with db.uow() as uow:
        report, manager = uow.people.get(world.report_id), uow.people.get(world.manager_id)
        for day in range(30):  # a long history: only the latest verdict per behaviour counts
            _rate(uow, report, manager, Rater.MANAGER, "quality-2-01", Verdict.SOMETIMES, at=NOW - timedelta(days=day))
        uow.checkins.add_once(
            CheckIn(
                person_id=world.report_id, manager_id=world.manager_id, origin=CheckInOrigin.SELF,
                framework_id=LADDER_ID, framework_version=1, behaviour_ids=[], deadline_at=NOW + timedelta(days=7),
            )
        )  # fmt: skip
    with db.uow() as uow:
        placements = uow.placements.current_for_many([world.report_id])
        one = readiness_of(uow, LIBRARY, world.report_id, placements[world.report_id], viewer=Rater.MANAGER)
        with count_statements(db) as seen:
            many = readiness_of_many(uow, LIBRARY, placements, viewer=Rater.MANAGER)
            rows = reports_readiness(uow, LIBRARY, placements)
        assert len(seen) == 3  # verdicts for many, then verdicts and open check-ins for the team rows
        assert many[world.report_id].areas == one.areas  # type: ignore[union-attr]
        row = rows[world.report_id]
        assert row.open_checkin and row.disagreements == 1 and [a.area_id for a in row.ready] == ["delivery"]
        person = uow.session.get(Person, world.report_id)
        assert person is not None
