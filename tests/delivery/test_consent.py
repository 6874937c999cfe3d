"""The consent request DM: sent once per pending link, retried after a passing failure, not for a gone person."""

from __future__ import annotations

from datetime import datetime

from bot.delivery.consent import send_pending_consent_requests
from bot.ids import ConsentAction
from tests.conftest import Database
from tests.services.digest_data import fake_slack_deps, load_ladder, make_world

NOW = datetime(2025, 3, 10, 12, 0)
LIBRARY = load_ladder()


def test_pending_requests_are_dmed_once(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, link=None)
        link = uow.managers.request(world.report_id, world.manager_id, requested_by_id=world.admin_id, now=NOW)
        uow.managers.request(world.outsider_id, world.manager_id, now=NOW)
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        fake.set_error("chat.postMessage", "internal_error")
        assert send_pending_consent_requests(deps, NOW) == 1  # the first DM failed, the second went out
        assert send_pending_consent_requests(deps, NOW) == 1  # the failed one is retried
        assert send_pending_consent_requests(deps, NOW) == 0  # and nothing is sent twice
        dms = fake.messages(fake.dm_channel_for("UREPORT"))
        assert len(dms) == 1
        buttons = [e for b in dms[0]["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert [(b["action_id"], b["value"]) for b in buttons] == [
            (ConsentAction.ACCEPT.value, str(link.id)),
            (ConsentAction.DECLINE.value, str(link.id)),
        ]
        assert "Ada Admin set this up" in str(dms[0]["blocks"])
        assert len(fake.messages(fake.dm_channel_for("UOTHER"))) == 1


def test_a_deactivated_report_is_not_asked_forever(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, link=None)
        uow.managers.request(world.report_id, world.manager_id, now=NOW)
    with fake_slack_deps(db, LIBRARY) as (deps, fake):
        fake.deactivate("UREPORT")
        assert send_pending_consent_requests(deps, NOW) == 0
        assert send_pending_consent_requests(deps, NOW) == 0
        assert fake.count("conversations.open") == 1
