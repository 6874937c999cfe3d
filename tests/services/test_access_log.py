"""The engineer's access log, the break-glass claims and audit retention, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.services import access, access_log, audit_retention, break_glass, consent
from bot.services.actor import Actor
from bot.services.data_rights import DELETED_PERSON_DATA, delete_person_data, export_person
from bot.services.prompt_controls import mark_inactive
from storage.models import AuditEntry, BreakGlassNotice, ManagerLinkStatus
from tests.conftest import Database
from tests.services.digest_data import make_world

NOW = datetime(2025, 3, 10, 12, 0)
REPORT = Actor("T1", "UREPORT")


def _read(db: Database, actor: str, action: str, at: datetime, **details: object) -> None:
    with db.uow() as uow:
        uow.audit.record(actor, action, "UREPORT", dict(details), workspace_team_id="T1", now=at)


def test_the_log_lists_others_reads_newest_first_with_names_and_surfaces(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    _read(db, "UMANAGER", access.VIEWED_DIGEST, NOW - timedelta(hours=3), scheduled=True, surface=access.SURFACE_DM)
    _read(db, "UMANAGER", access.EXPORTED, NOW - timedelta(hours=2), via="slack")  # an older entry: no surface
    _read(db, "UREPORT", access.VIEWED_DIGEST, NOW - timedelta(hours=1), on_demand=True)  # their own: not listed
    _read(db, "UMANAGER", access.VIEWED_COVERAGE, NOW, surface=access.SURFACE_HOME)
    _read(db, None, access_log.EXPORTED_PERSON_DATA, NOW + timedelta(minutes=1))  # the command line
    _read(db, "UOTHER", access.DENIED, NOW + timedelta(minutes=2), wanted="digest")  # a refusal is not a read

    page = access_log.read_access_log(db.uow, REPORT, subject_slack_id=None, cursor=None, now=NOW)
    assert isinstance(page, access_log.AccessLogPage)
    assert [(e.reader, e.what, e.surface) for e in page.entries] == [
        (access_log.OPERATOR, "everything growthbot holds about you (data export)", access.SURFACE_CLI),
        ("Morgan Manager", "your coverage (Home coverage view)", access.SURFACE_HOME),
        ("Morgan Manager", "your promotion packet (export)", access.SURFACE_EXPORT_COMMAND),
        ("Morgan Manager", "your digest before a 1:1", access.SURFACE_DM),
    ]
    assert page.next_cursor is None and page.first_page


def test_pages_follow_the_cursor_and_refuse_anyone_elses_log(db: Database) -> None:
    with db.uow() as uow:
        make_world(uow)
    for minute in range(access_log.PAGE_SIZE + 5):
        _read(db, "UMANAGER", access.VIEWED_COVERAGE, NOW + timedelta(minutes=minute % 7))  # ties on `at`
    first = access_log.read_access_log(db.uow, REPORT, subject_slack_id="UREPORT", cursor=None, now=NOW)
    assert isinstance(first, access_log.AccessLogPage) and len(first.entries) == access_log.PAGE_SIZE
    second = access_log.read_access_log(db.uow, REPORT, subject_slack_id="UREPORT", cursor=first.next_cursor, now=NOW)
    assert isinstance(second, access_log.AccessLogPage) and len(second.entries) == 5 and second.next_cursor is None
    with db.uow() as uow:
        assert len(uow.audit.for_subject("UREPORT")) == access_log.PAGE_SIZE + 5  # every entry, exactly once
    ordered = [e.at for e in first.entries + second.entries]
    assert ordered == sorted(ordered, reverse=True)

    for forged in ("UMANAGER", "UNOBODY"):  # a manager never sees a report's log; nor anyone else
        refused = access_log.read_access_log(
            db.uow, Actor("T1", "UMANAGER"), subject_slack_id="UREPORT", cursor=None, now=NOW
        )
        assert isinstance(refused, access_log.Refused)
        assert isinstance(
            access_log.read_access_log(db.uow, REPORT, subject_slack_id=forged, cursor=None, now=NOW),
            access_log.Refused,
        )
    for bad in ("", "2025-03-10", "x~1", "2025-13-40T00:00:00~1"):
        assert isinstance(
            access_log.read_access_log(db.uow, REPORT, subject_slack_id=None, cursor=bad, now=NOW), access_log.Refused
        )
    with db.uow() as uow:
        denied = [e for e in uow.audit.for_subject("UNOBODY") if e.action == access.DENIED]
        assert denied and denied[0].details == {"wanted": access_log.WANTED}


def test_a_manager_change_ends_the_former_managers_access_in_the_log(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
    with db.uow() as uow:
        report, other = uow.people.get(world.report_id), uow.people.get(world.outsider_id)
        change = consent.change_manager(uow, report=report, manager=other, requested_by=report, now=NOW)
        consent.decide(uow, link_id=change.link.id, actor=report, accept=True, now=NOW)  # replaced
    with db.uow() as uow:
        consent.remove_link(
            uow, actor=uow.people.get(world.report_id), other=uow.people.get(world.outsider_id), now=NOW
        )
    page = access_log.read_access_log(db.uow, REPORT, subject_slack_id=None, cursor=None, now=NOW)
    assert isinstance(page, access_log.AccessLogPage)
    assert {(e.reader, e.what) for e in page.entries} == {
        ("Morgan Manager", "access as your manager ended (you accepted another manager)"),
        ("Olive Outsider", "access as your manager ended (the link was removed)"),
    }
    assert all(e.access_ended and e.surface is None for e in page.entries)


def test_a_deactivated_or_forgetting_manager_loses_access_and_the_report_sees_it(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
    with db.uow() as uow:
        mark_inactive(uow, uow.people.get(world.manager_id), "deactivated by an admin", NOW)
        assert uow.managers.active_manager_of(world.report_id) is None
        link = uow.managers.request(world.report_id, world.admin_id, requested_by_id=None, now=NOW)
        uow.managers.accept(link, NOW)
    with db.uow() as uow:
        delete_person_data(uow, uow.people.get(world.admin_id), actor="UADMIN", now=NOW + timedelta(minutes=1))
    page = access_log.read_access_log(db.uow, REPORT, subject_slack_id=None, cursor=None, now=NOW)
    assert isinstance(page, access_log.AccessLogPage)
    whats = [e.what for e in page.entries]
    assert whats == [
        "access as your manager ended (they deleted their growthbot data)",
        "access as your manager ended (they were deactivated)",
    ]


def test_forget_keeps_only_the_deletion_record_and_export_includes_the_log(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
    _read(db, "UMANAGER", access.VIEWED_DIGEST, NOW, scheduled=True)
    with db.uow() as uow:
        data = export_person(uow, uow.people.get(world.report_id), actor=None)
    assert [(e["reader"], e["what"], e["surface"]) for e in data["access_log"]] == [
        ("Morgan Manager", "your digest before a 1:1", access.SURFACE_DM)
    ]
    with db.uow() as uow:
        delete_person_data(uow, uow.people.get(world.report_id), actor="UREPORT", now=NOW + timedelta(hours=1))
    with db.uow() as uow:
        assert [e.action for e in uow.audit.for_subject("UREPORT")] == [DELETED_PERSON_DATA]


def test_retention_prunes_old_entries_in_bounded_batches_and_keeps_deletion_records(db: Database) -> None:
    with db.uow() as uow:
        for day in range(12):
            uow.audit.record("UMANAGER", access.VIEWED_COVERAGE, "UREPORT", {}, now=NOW - timedelta(days=740 + day))
        uow.audit.record("UREPORT", DELETED_PERSON_DATA, "UGONE", {}, now=NOW - timedelta(days=900))
        uow.audit.record("UMANAGER", access.VIEWED_COVERAGE, "UREPORT", {}, now=NOW - timedelta(days=729))
    assert audit_retention.prune_expired(db.uow, 730, NOW, batch=5, max_batches=2) == 10  # one tick's bound
    assert audit_retention.prune_expired(db.uow, 730, NOW, batch=5, max_batches=2) == 2  # the next tick goes on
    assert audit_retention.prune_expired(db.uow, 730, NOW, batch=5, max_batches=2) == 0
    with db.uow() as uow:
        left = uow.session.query(AuditEntry).all()
        assert sorted(e.action for e in left) == [DELETED_PERSON_DATA, access.VIEWED_COVERAGE]


def test_break_glass_reads_are_claimed_once_per_admin_person_and_day(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, report_tz="Europe/Paris")
    with db.uow() as uow:
        report = uow.people.get(world.report_id)
        for minutes in (0, 3):
            access.record_break_glass_read(
                uow,
                "UADMIN",
                report,
                access.VIEWED_DIGEST,
                team_id="T1",
                details={"on_demand": True},
                at=NOW + timedelta(minutes=minutes),
            )
        access.record_break_glass_read(
            uow,
            "UADMIN",
            report,
            access.EXPORTED,
            team_id="T1",
            details={"via": "slack"},
            at=NOW + timedelta(minutes=4),
        )
    assert break_glass.ready_notices(db.uow, NOW + timedelta(minutes=10)) == []  # the admin may still be reading
    later = NOW + timedelta(minutes=15)
    [notice_id] = break_glass.ready_notices(db.uow, later)
    dm = break_glass.claim_notice(db.uow, notice_id, later)
    assert dm is not None and break_glass.claim_notice(db.uow, notice_id, later) is None  # a second instance
    assert (dm.admin_name, dm.subject_slack_id, dm.day) == ("Ada Admin", "UREPORT", date(2025, 3, 10))
    assert dm.reads == (("an on-demand digest", 2), ("your promotion packet (export)", 1))
    break_glass.record_sent(db.uow, notice_id, later)
    with db.uow() as uow:  # another read the same (Paris) day: in the log, never a second DM
        access.record_break_glass_read(
            uow, "UADMIN", uow.people.get(world.report_id), access.EXPORTED, team_id="T1", details={}, at=later
        )
    assert break_glass.ready_notices(db.uow, later + timedelta(hours=1)) == []
    with db.uow() as uow:
        assert uow.session.query(BreakGlassNotice).count() == 1
        entries = [e for e in uow.audit.for_subject("UREPORT") if e.actor_slack_id == "UADMIN"]
        assert len(entries) == 4 and all(e.details.get("break_glass") for e in entries)


def test_a_stopped_instances_claim_is_taken_over_and_a_failed_send_retried(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, link=ManagerLinkStatus.ACTIVE)
    with db.uow() as uow:
        access.record_break_glass_read(
            uow, "UADMIN", uow.people.get(world.report_id), access.VIEWED_DIGEST, team_id="T1", details={}, at=NOW
        )
    at = NOW + break_glass.QUIET_FOR
    [notice_id] = break_glass.ready_notices(db.uow, at)
    assert break_glass.claim_notice(db.uow, notice_id, at) is not None
    assert break_glass.ready_notices(db.uow, at + timedelta(minutes=1)) == []  # claimed
    assert break_glass.ready_notices(db.uow, at + break_glass.CLAIM_FOR + timedelta(seconds=1)) == [notice_id]
    break_glass.retry_later(db.uow, notice_id)
    assert break_glass.claim_notice(db.uow, notice_id, at + timedelta(minutes=2)) is not None
