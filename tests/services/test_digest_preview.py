"""The report's answers to their digest preview (bot.services.digest_preview), on both databases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.services import digest_preview
from bot.services.actor import Actor
from bot.services.digest_preview import Flagged
from storage.models import Digest, DigestState
from tests.conftest import Database
from tests.services.digest_data import add_evidence, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)  # a Monday
MEETING = datetime(2025, 3, 11, 10, 0)  # the 1:1 the sent digest prepares
LIBRARY = load_ladder()
REPORT = Actor("T1", "UREPORT")
OTHER = Actor("T1", "UOTHER")


@dataclass
class Sent:
    digest_id: int
    mine: int  # the report's evidence
    theirs: int  # the outsider's


def _sent(db: Database) -> Sent:
    """A digest of the report's week, already in their manager's DM before tomorrow's 1:1."""
    with db.uow() as uow:
        world = make_world(uow)
        one_on_one = uow.one_on_ones.add(world.manager_id, world.report_id, weekday=1, local_time=time(10))
        digest = Digest(
            one_on_one_id=one_on_one.id,
            period_key=MEETING.isoformat(),
            period_start=MEETING - timedelta(weeks=1),
            period_end=MEETING,
            due_at=MEETING - timedelta(hours=2),
            state=DigestState.SENT,
            channel_id="DMANAGER",
            message_ts=["200.1", "200.2"],
        )
        uow.session.add(digest)
        mine = add_evidence(uow, LIBRARY, world.report_id, "Paired with Sam", NOW - timedelta(days=1))
        theirs = add_evidence(uow, LIBRARY, world.outsider_id, "Not yours", NOW - timedelta(days=1))
        uow.session.flush()
        return Sent(digest.id, mine.id, theirs.id)


def _flag(
    db: Database,
    actor: Actor,
    evidence_id: int | None,
    digest_id: int | None,
    *,
    flag: bool = True,
    now: datetime = NOW,
) -> Flagged | None:
    # A button's value carries the digest id as text.
    digest = str(digest_id) if digest_id is not None else None
    return digest_preview.flag_item(db.uow, actor, evidence_id=evidence_id, digest_id=digest, flag=flag, now=now)


def _to_discuss(db: Database, evidence_id: int) -> bool:
    with db.uow() as uow:
        return uow.evidence.get(evidence_id).to_discuss


def test_only_the_actors_own_items_are_flagged(db: Database) -> None:
    sent = _sent(db)
    assert _flag(db, REPORT, None, sent.digest_id) is None
    assert _flag(db, REPORT, sent.theirs, sent.digest_id) is None
    assert _flag(db, OTHER, sent.mine, sent.digest_id) is None
    assert not _to_discuss(db, sent.mine)


def test_a_flag_before_the_one_on_one_goes_straight_to_the_manager(db: Database) -> None:
    sent = _sent(db)
    flagged = _flag(db, REPORT, sent.mine, sent.digest_id)
    assert flagged is not None and flagged.state == "sent_to_manager" and flagged.told_manager is not None
    told = flagged.told_manager
    assert (told.target.channel_id, told.target.thread_ts, told.target.manager_slack_id) == (
        "DMANAGER",
        "200.1",
        "UMANAGER",
    )
    assert told.report_name == "Riley Report" and told.item.text == "Paired with Sam"
    assert not _to_discuss(db, sent.mine)  # not queued for the next digest as well


def test_any_other_flag_waits_for_the_next_digest(db: Database) -> None:
    sent = _sent(db)
    after_meeting = _flag(db, REPORT, sent.mine, sent.digest_id, now=MEETING + timedelta(hours=1))
    assert after_meeting == Flagged(sent.mine, "queued", None) and _to_discuss(db, sent.mine)
    assert _flag(db, REPORT, sent.mine, None, flag=False) == Flagged(sent.mine, "unflagged", None)
    assert not _to_discuss(db, sent.mine)
    assert _flag(db, REPORT, sent.mine, None) == Flagged(sent.mine, "queued", None)  # from no digest


def test_the_preview_a_last_minute_note_goes_to(db: Database) -> None:
    sent = _sent(db)
    preview = digest_preview.report_preview(db.uow, REPORT, sent.digest_id)
    assert preview is not None and preview.report_name == "Riley Report"
    assert (preview.target.digest_id, preview.target.meeting_at) == (sent.digest_id, MEETING)
    assert digest_preview.report_preview(db.uow, OTHER, sent.digest_id) is None  # not their 1:1
    assert digest_preview.report_preview(db.uow, Actor("T1", "UNOBODY"), sent.digest_id) is None
    assert digest_preview.report_preview(db.uow, REPORT, "not-a-number") is None
