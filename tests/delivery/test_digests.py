"""The digest side of the tick (bot.delivery.digests, bot.services.digesting): on time across DST,
exactly once, catch-up, consent, retries."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

from sqlalchemy import select

from bot.delivery.digests import tick_digests
from bot.ids import DigestAction
from bot.services import access
from bot.services.digesting import SKIP_INACTIVE, SKIP_MISSED, SKIP_NO_CONSENT
from bot.services.one_on_ones import schedule
from bot.services.slots import Slot
from storage.models import Cadence, Digest, DigestState, ManagerLinkStatus
from tests.conftest import Database
from tests.listeners.harness import message_text
from tests.services.digest_data import add_evidence, fake_slack_deps, load_ladder, make_world

LIBRARY = load_ladder()
# Monday 24 March 2025 is the last Monday of CET; Monday 31 March is the first of CEST.
BEFORE_DST = datetime(2025, 3, 20, 12, 0)
MEETING_1 = datetime(2025, 3, 24, 9, 0)  # 10:00 Paris (UTC+1)
MEETING_2 = datetime(2025, 3, 31, 8, 0)  # 10:00 Paris (UTC+2)


def _setup(db: Database, *, link: ManagerLinkStatus | None = ManagerLinkStatus.ACTIVE, cadence=Cadence.WEEKLY):
    with db.uow() as uow:
        world = make_world(uow, link=link, manager_tz="Europe/Paris")
        manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
        one_on_one = schedule(uow, manager=manager, report=report, slot=Slot(0, time(10, 0), cadence), now=BEFORE_DST)
    return world, one_on_one.id


def _digests(db: Database) -> list[Digest]:
    with db.uow() as uow:
        return list(uow.session.scalars(select(Digest).order_by(Digest.period_end)))


def test_digest_goes_out_two_hours_before_each_meeting_across_dst(db: Database) -> None:
    world, one_on_one_id = _setup(db)
    with db.uow() as uow:
        one_on_one = uow.one_on_ones.get(one_on_one_id)
        assert (one_on_one.next_at, one_on_one.next_digest_at) == (MEETING_1, MEETING_1 - timedelta(hours=2))
        add_evidence(
            uow,
            LIBRARY,
            world.report_id,
            "Told <!channel> and <@U123>",
            MEETING_1 - timedelta(days=2),
            ["delivery-2-01"],
        )

    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        manager_dm, report_dm = fake.dm_channel_for("UMANAGER"), fake.dm_channel_for("UREPORT")
        assert tick_digests(deps, MEETING_1 - timedelta(hours=2, minutes=1)).sent == 0
        assert fake.messages(manager_dm) == []

        assert tick_digests(deps, MEETING_1 - timedelta(hours=2)).sent == 1
        assert tick_digests(deps, MEETING_1 - timedelta(hours=1)).sent == 0  # exactly once
        manager_text = "\n".join(message_text(m) for m in fake.messages(manager_dm))
        assert "Before your 1:1 with Riley Report" in manager_text
        assert "&lt;!channel&gt;" in manager_text and "<!channel>" not in manager_text
        assert "&lt;@U123&gt;" in manager_text and "<@U123>" not in manager_text

        preview = fake.messages(report_dm)
        assert len(preview) == 1 and "what your manager will see" in message_text(preview[0])
        digest = _digests(db)[0]
        actions = [e for b in preview[0]["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert (actions[0]["action_id"], actions[0]["value"]) == (DigestAction.ADD_NOTE.value, str(digest.id))
        assert digest.state is DigestState.SENT and digest.channel_id == manager_dm
        assert digest.period_end == MEETING_1 and digest.period_start == MEETING_1 - timedelta(days=7)
        assert len(digest.message_ts) == 1 and digest.coverage["delivery"] == {"covered": 1, "total": 3, "level": "2"}

        with db.uow() as uow:
            one_on_one = uow.one_on_ones.get(one_on_one_id)
            assert (one_on_one.next_at, one_on_one.next_digest_at) == (MEETING_2, MEETING_2 - timedelta(hours=2))
            audit = uow.audit.for_subject("UREPORT")
            assert [(e.actor_slack_id, e.action) for e in audit] == [("UMANAGER", access.VIEWED_DIGEST)]

        assert tick_digests(deps, MEETING_2 - timedelta(hours=2, minutes=1)).sent == 0
        assert tick_digests(deps, MEETING_2 - timedelta(hours=2)).sent == 1
        assert len(fake.messages(manager_dm)) == 2
        second = _digests(db)[1]
        assert second.period_start == MEETING_1 and second.period_end == MEETING_2
        second_text = message_text(fake.messages(manager_dm)[-1])
        assert second_text.count("No change in any area since the last digest") == 1
        assert "no change since the last digest" not in second_text  # said once, not per area


def test_catch_up_sends_late_but_skips_meetings_already_started(db: Database) -> None:
    _setup(db)
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        # Down from before the first digest until after the first meeting began.
        report = tick_digests(deps, MEETING_1 + timedelta(minutes=5))
        assert (report.sent, report.skipped) == (0, 1)
        assert fake.messages(fake.dm_channel_for("UMANAGER")) == []
        # Down again over the second digest time, back 30 minutes before the meeting: sent late.
        assert tick_digests(deps, MEETING_2 - timedelta(minutes=30)).sent == 1
    digests = _digests(db)
    assert [(d.period_end, d.state) for d in digests] == [
        (MEETING_1, DigestState.SKIPPED),
        (MEETING_2, DigestState.SENT),
    ]
    assert digests[0].last_error == SKIP_MISSED


def test_long_outage_records_each_missed_meeting(db: Database) -> None:
    _, one_on_one_id = _setup(db)
    with fake_slack_deps(db, LIBRARY) as (deps, _fake):
        report = tick_digests(deps, MEETING_1 + timedelta(weeks=3, hours=1))
    assert report.skipped == 4 and report.sent == 0
    with db.uow() as uow:
        assert uow.one_on_ones.get(one_on_one_id).next_at == MEETING_2 + timedelta(weeks=3)


def test_no_consent_no_digest(db: Database) -> None:
    _setup(db, link=ManagerLinkStatus.PENDING)
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        report = tick_digests(deps, MEETING_1 - timedelta(hours=1))
        assert (report.sent, report.skipped) == (0, 1)
        assert fake.count("chat.postMessage") == 0
    assert [(d.state, d.last_error) for d in _digests(db)] == [(DigestState.SKIPPED, SKIP_NO_CONSENT)]


def test_deactivated_report_gets_no_digest(db: Database) -> None:
    world, _ = _setup(db)
    with db.uow() as uow:
        uow.people.get(world.report_id).active = False
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        report = tick_digests(deps, MEETING_1 - timedelta(hours=1))
        assert (report.sent, report.skipped) == (0, 1)
        assert fake.count("chat.postMessage") == 0
    assert [(d.state, d.last_error) for d in _digests(db)] == [(DigestState.SKIPPED, SKIP_INACTIVE)]


def test_a_failed_send_is_retried_and_still_sent_once(db: Database) -> None:
    _setup(db)
    due = MEETING_1 - timedelta(hours=2)
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        fake.set_error("chat.postMessage", "internal_error")
        report = tick_digests(deps, due)
        assert (report.sent, report.retrying) == (0, 1)
        assert tick_digests(deps, due + timedelta(minutes=1)).sent == 0  # backing off
        assert tick_digests(deps, due + timedelta(minutes=3)).sent == 1
        assert tick_digests(deps, due + timedelta(minutes=10)).sent == 0
        assert len(fake.messages(fake.dm_channel_for("UMANAGER"))) == 1
    digest = _digests(db)[0]
    assert digest.state is DigestState.SENT and digest.attempts == 2


def test_a_digest_and_its_preview_go_to_the_user_ids_without_conversations_open(db: Database) -> None:
    _setup(db)
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        assert tick_digests(deps, MEETING_1 - timedelta(hours=2)).sent == 1
        assert fake.count("conversations.open") == 0
        first_posts = [call.params["channel"] for call in fake.calls("chat.postMessage")]
        assert first_posts[0] == "UMANAGER" and "UMANAGER" in first_posts
        assert len(fake.messages(fake.dm_channel_for("UMANAGER"))) >= 1
    [digest] = _digests(db)
    assert digest.state is DigestState.SENT and digest.channel_id == fake.dm_channel_for("UMANAGER")


def test_two_instances_ticking_together_send_once(db: Database) -> None:
    _setup(db)
    due = MEETING_1 - timedelta(hours=1)
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        barrier = threading.Barrier(4)
        reports = []

        def run(instance: str) -> None:
            barrier.wait()
            reports.append(tick_digests(deps, due, instance_id=instance))

        threads = [threading.Thread(target=run, args=(f"instance-{i}",)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(r.sent for r in reports) == 1
        assert [r.errors for r in reports] == [[], [], [], []]
        assert len(fake.messages(fake.dm_channel_for("UMANAGER"))) == 1
        assert len(fake.messages(fake.dm_channel_for("UREPORT"))) == 1


def test_flags_are_delivered_once(db: Database) -> None:
    world, _ = _setup(db)
    with db.uow() as uow:
        add_evidence(
            uow, LIBRARY, world.report_id, "Let's talk promo", BEFORE_DST - timedelta(days=30), to_discuss=True
        )
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        tick_digests(deps, MEETING_1 - timedelta(hours=2))
        tick_digests(deps, MEETING_2 - timedelta(hours=2))
        first, second = (message_text(m) for m in fake.messages(fake.dm_channel_for("UMANAGER")))
    assert "Let's talk promo" in first and "flagged an item to discuss" in first
    assert "Let's talk promo" not in second
