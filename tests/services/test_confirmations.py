"""Which saved evidence the tick's sweep still has to confirm, and where (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.deps import Deps
from bot.services import confirmations
from bot.services.confirmations import ThreadReply
from bot.services.evidence import message_key
from storage.models import EvidenceSource
from tests.conftest import Database
from tests.services.digest_data import add_evidence, add_prompt, load_ladder, make_world, offline_deps

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()


def _deps(db: Database) -> Deps:
    return offline_deps(db, LIBRARY)


def test_the_sweep_confirms_a_prompt_reply_in_its_thread_and_anything_else_by_dm(db: Database) -> None:
    saved_at = NOW - timedelta(minutes=3)
    with db.uow() as uow:
        world = make_world(uow)
        prompt = add_prompt(uow, world.report_id, NOW - timedelta(hours=1))
        prompt.channel_id, prompt.message_ts = "DREPORT", "100.1"
        reply = add_evidence(uow, LIBRARY, world.report_id, "Ran the incident review", saved_at)
        reply.source, reply.source_key = EvidenceSource.PROMPT_REPLY, message_key("T1", "DREPORT", "100.2")
        reply.prompt_id = prompt.id
        logged = add_evidence(uow, LIBRARY, world.report_id, "Mentored a new joiner", saved_at)
        too_fresh = add_evidence(uow, LIBRARY, world.report_id, "Still being confirmed", NOW - timedelta(minutes=1))
        uow.session.flush()
        ids = (reply.id, logged.id, too_fresh.id)
    deps = _deps(db)
    pending = confirmations.pending_confirmations(deps, NOW)
    assert [item.evidence_id for item in pending] == [ids[0], ids[1]]  # the fresh one may still be in progress
    in_thread, by_dm = pending
    assert in_thread.thread_reply == ThreadReply("DREPORT", "100.2", "100.1")
    assert (in_thread.user_id, in_thread.prompt_id) == ("UREPORT", prompt.id)
    assert by_dm.thread_reply is None and by_dm.prompt_id is None
    assert confirmations.mark_confirmed(deps, ids[1], NOW) is True
    assert confirmations.mark_confirmed(deps, ids[1], NOW) is False  # taken once, by one instance
    assert [item.evidence_id for item in confirmations.pending_confirmations(deps, NOW)] == [ids[0]]


def test_evidence_of_someone_gone_is_marked_confirmed_without_a_message(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        saved = add_evidence(uow, LIBRARY, world.report_id, "Shipped the migration", NOW - timedelta(minutes=3))
        report = uow.people.get(world.report_id)
        assert report is not None
        report.active = False
        evidence_id = saved.id
    deps = _deps(db)
    assert confirmations.pending_confirmations(deps, NOW) == []
    assert confirmations.mark_confirmed(deps, evidence_id, NOW) is False  # already recorded
