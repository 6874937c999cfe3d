"""Reading evidence from Slack (bot.services.evidence_reads): checked and audited reads, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.deps import Deps
from bot.services import access, evidence_reads
from bot.services.actor import Actor
from bot.services.evidence_reads import DigestRead, PacketRead, Refused
from tests.conftest import Database
from tests.services.digest_data import add_evidence, load_ladder, make_world, offline_deps

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()
REPORT = Actor("T1", "UREPORT")
MANAGER = Actor("T1", "UMANAGER")
OTHER = Actor("T1", "UOTHER")
NOBODY = Actor("T1", "UNOBODY")


def _deps(db: Database) -> Deps:
    deps = offline_deps(db, LIBRARY)
    with db.uow() as uow:
        world = make_world(uow, manager_tz="Europe/Paris")
        add_evidence(uow, LIBRARY, world.report_id, "Paired with Sam", NOW - timedelta(days=2), ["mentoring-2-01"])
    return deps


def _audited(deps: Deps) -> list[tuple[str | None, str]]:
    with deps.uow() as uow:
        return [(e.actor_slack_id, e.action) for e in reversed(uow.audit.for_subject("UREPORT"))]


def test_a_digest_read_by_oneself_or_ones_manager(db: Database) -> None:
    deps = _deps(db)
    own = evidence_reads.read_digest(deps, REPORT, None, NOW)
    assert isinstance(own, DigestRead) and own.is_self
    managed = evidence_reads.read_digest(deps, MANAGER, "UREPORT", NOW)
    assert isinstance(managed, DigestRead) and not managed.is_self
    assert managed.content.report.slack_user_id == "UREPORT" and managed.content.new_evidence_count == 1
    assert _audited(deps) == [("UMANAGER", access.VIEWED_DIGEST)]  # a read of one's own is not audited


def test_a_refused_read_says_whether_it_was_for_someone_else(db: Database) -> None:
    deps = _deps(db)
    assert evidence_reads.read_digest(deps, OTHER, "UREPORT", NOW) == Refused(someone_else=True)
    assert evidence_reads.read_digest(deps, NOBODY, None, NOW) == Refused(someone_else=False)
    assert evidence_reads.read_packet(deps, OTHER, "UREPORT", NOW) == Refused(someone_else=True)
    assert evidence_reads.read_packet(deps, NOBODY, None, NOW) == Refused(someone_else=False)
    assert _audited(deps) == [("UOTHER", access.DENIED), ("UOTHER", access.DENIED)]


def test_a_packet_read_comes_with_the_viewers_time_zone(db: Database) -> None:
    deps = _deps(db)
    packet = evidence_reads.read_packet(deps, MANAGER, "UREPORT", NOW)
    assert isinstance(packet, PacketRead) and packet.viewer_tz == "Europe/Paris"
    assert _audited(deps) == [("UMANAGER", access.EXPORTED)]
