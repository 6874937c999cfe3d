"""End to end: the manager's quick sign-off from a digest (stored once on a retry, the part updated in
place), a dispute with the engineer's DM, their reply and retag, and the refusals."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.delivery.digests import tick_digests
from bot.ids import Callback, DigestAction, DigestBlock, DisputeAction, DisputeBlock, EvidenceAction, EvidenceBlock
from bot.services.access import NOT_AVAILABLE
from storage.models import Rater, Verdict
from tests.listeners.harness import Harness, message_text

SET_UP_AT = datetime(2025, 3, 20, 12, 0)
MEETING = datetime(2025, 3, 24, 9, 0)


@pytest.fixture
def harness(harness_any: Harness) -> Harness:
    """Every flow here runs on SQLite and on PostgreSQL."""
    return harness_any


def _setup(harness: Harness) -> tuple[list[str], int]:
    harness.seed_person("UREP", name="Riley", manager="UMGR")
    harness.seed_person("UOTHER", name="Olive")
    behaviours = harness.next_behaviour_ids("UREP")
    evidence_id = harness.add_evidence(
        "UREP", "Ran the incident review <!channel>", behaviours[:1], created_at=MEETING - timedelta(days=2)
    )
    harness.set_now(SET_UP_AT)
    harness.command("UMGR", "1on1 <@UREP|riley> monday 10:00")
    harness.set_now(MEETING - timedelta(hours=1))
    assert tick_digests(harness.deps, MEETING - timedelta(hours=2)).sent == 1
    return behaviours, evidence_id


def _dm(harness: Harness, user_id: str) -> list[dict[str, Any]]:
    return harness.fake.messages(harness.fake.dm_channel_for(user_id))


def _menu_block(message: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in message["blocks"] if b.get("block_id", "").startswith(DigestBlock.SIGN_OFF_PREFIX))


def _choose(harness: Harness, user: str, message: dict[str, Any], value: str, block_id: str | None = None) -> None:
    block = _menu_block(message)
    option = next(o for o in block["accessory"]["options"] if o["value"] == value)
    harness.action(
        user,
        DigestAction.SIGN_OFF,
        message=message,
        block_id=block_id or block["block_id"],
        action={"type": "overflow", "selected_option": option},
    )


def _manager_verdicts(harness: Harness) -> list[Any]:
    with harness.deps.uow() as uow:
        person = uow.people.get_by_slack_id(uow.workspaces.get_by_team(harness.team_id).id, "UREP")
        return [(a.rater, a.verdict, list(a.evidence_ids)) for a in uow.assessments.all_for(person.id)]


def test_quick_sign_off_stores_once_on_a_retry_and_updates_the_part_in_place(harness: Harness) -> None:
    _, evidence_id = _setup(harness)
    digest = _dm(harness, "UMGR")[0]
    block = _menu_block(digest)
    labels = [o["text"]["text"] for o in block["accessory"]["options"]]
    assert labels == ["Consistently", "Sometimes", "Not yet", "Doesn't show this"]
    assert "No manager verdict yet" in message_text(digest)
    # The engineer's preview shows the same content without the manager's menu.
    assert not any(
        b.get("block_id", "").startswith(DigestBlock.SIGN_OFF_PREFIX) for b in _dm(harness, "UREP")[0]["blocks"]
    )

    _choose(harness, "UMGR", digest, "consistently")
    _choose(harness, "UMGR", digest, "consistently")  # Slack retries the action
    assert _manager_verdicts(harness) == [(Rater.MANAGER, Verdict.CONSISTENTLY, [evidence_id])]
    updated = _dm(harness, "UMGR")[0]
    assert updated["ts"] == digest["ts"] and len(_dm(harness, "UMGR")) == 1  # in place, not a new message
    assert "Manager's verdict: *Consistently*" in message_text(updated)
    assert len(updated["blocks"]) == len(digest["blocks"])


def test_sign_off_refusals_non_manager_forged_behaviour_and_forged_evidence(harness: Harness) -> None:
    behaviours, evidence_id = _setup(harness)
    digest = _dm(harness, "UMGR")[0]
    block_id = _menu_block(digest)["block_id"]
    person_id = block_id.split(":")[1]
    other = harness.add_evidence("UOTHER", "Olive's work", [])
    before = harness.fake.count("chat.update")
    for user, forged in (
        ("UOTHER", None),  # not the manager
        ("UREP", None),  # the report themself
        ("UMGR", f"{DigestBlock.SIGN_OFF_PREFIX}{person_id}:no-such-behaviour:{evidence_id}"),
        ("UMGR", f"{DigestBlock.SIGN_OFF_PREFIX}{person_id}:{behaviours[1]}:{evidence_id}"),  # not tagged so
        ("UMGR", f"{DigestBlock.SIGN_OFF_PREFIX}{person_id}:{behaviours[0]}:{other}"),  # someone else's item
        ("UMGR", f"{DigestBlock.SIGN_OFF_PREFIX}999999:{behaviours[0]}:{evidence_id}"),
    ):
        _choose(harness, user, digest, "consistently", block_id=forged)
        assert harness.last_ephemeral(user)["text"] == NOT_AVAILABLE, (user, forged)
        _choose(harness, user, digest, "dispute", block_id=forged)
        assert harness.last_ephemeral(user)["text"] == NOT_AVAILABLE, (user, forged)
    assert _manager_verdicts(harness) == []
    assert harness.fake.count("chat.update") == before
    assert harness.fake.count("views.open") == 0


def test_former_manager_loses_the_sign_off_but_their_verdict_stays(harness: Harness) -> None:
    _setup(harness)
    digest = _dm(harness, "UMGR")[0]
    _choose(harness, "UMGR", digest, "sometimes")
    with harness.deps.uow() as uow:
        person = uow.people.get_by_slack_id(uow.workspaces.get_by_team(harness.team_id).id, "UREP")
        uow.managers.end(uow.managers.active_link_of(person.id), harness.now)
    _choose(harness, "UMGR", digest, "consistently")
    assert harness.last_ephemeral("UMGR")["text"] == NOT_AVAILABLE
    assert [v for _, v, _ in _manager_verdicts(harness)] == [Verdict.SOMETIMES]


def test_dispute_tells_the_engineer_who_replies_and_retags(harness: Harness) -> None:
    behaviours, evidence_id = _setup(harness)
    digest = _dm(harness, "UMGR")[0]
    _choose(harness, "UMGR", digest, "dispute")
    modal = harness.fake.opened_views[-1]
    assert modal["callback_id"] == Callback.DISPUTE
    assert "&lt;!channel&gt;" in message_text(modal)
    comment = {DisputeBlock.COMMENT: {DisputeAction.COMMENT: {"type": "plain_text_input", "value": "Not yet <!here>"}}}
    harness.submit("UMGR", modal, comment)
    harness.submit("UMGR", modal, comment)  # a double submit tells the engineer once

    dms = _dm(harness, "UREP")
    told = [m for m in dms if "doesn't show" in message_text(m)]
    assert len(told) == 1
    text = message_text(told[0])
    assert "Not yet &lt;!here&gt;" in text and "<!here>" not in json.dumps(told[0])
    with harness.deps.uow() as uow:
        tag = uow.evidence.get(evidence_id).tags[0]
        assert tag.disputed_at is not None and tag.dispute_comment == "Not yet <!here>"
        person = uow.people.get(uow.evidence.get(evidence_id).person_id)
        assert uow.evidence.behaviour_stats(person.id, tag.framework_id) == {}  # no longer counted
        assert "disputed_evidence" in [e.action for e in uow.audit.for_subject("UREP")]
    assert "this doesn't show it" in message_text(_dm(harness, "UMGR")[0])  # the part redrawn in place

    # The next digest marks the item disputed and lists it first among the talking points.
    from bot.services.digests import build_digest

    with harness.deps.uow() as uow:
        manager = uow.people.get_by_slack_id(person.workspace_id, "UMGR")
        content = build_digest(uow, harness.deps.library, (manager, person), MEETING - timedelta(days=7), MEETING)
    assert content.talking_points[0].kind == "disputed"

    # The engineer replies to the manager...
    reply = next(
        e
        for m in told
        for b in m["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == DisputeAction.REPLY
    )
    harness.action("UOTHER", DisputeAction.REPLY, reply["value"], message=told[0])
    assert harness.last_ephemeral("UOTHER")["text"] == NOT_AVAILABLE
    harness.action("UREP", DisputeAction.REPLY, reply["value"], message=told[0])
    reply_view = harness.fake.opened_views[-1]
    assert reply_view["callback_id"] == Callback.DISPUTE_REPLY
    harness.submit(
        "UREP",
        reply_view,
        {
            DisputeBlock.REPLY_TEXT: {
                DisputeAction.REPLY_TEXT: {"type": "plain_text_input", "value": "It does <!channel>"}
            }
        },
    )
    assert any("Riley replied" in m["text"] and "&lt;!channel&gt;" in m["text"] for m in _dm(harness, "UMGR"))

    # ... and retags it with the existing retag modal: the tag goes, and its dispute with it.
    retag = next(
        e
        for b in told[0]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == EvidenceAction.RETAG
    )
    harness.action("UREP", EvidenceAction.RETAG, retag["value"], message=told[0])
    retag_view = harness.fake.opened_views[-1]
    assert retag_view["callback_id"] == Callback.RETAG
    harness.submit(
        "UREP",
        retag_view,
        {
            EvidenceBlock.BEHAVIOURS: {
                EvidenceAction.BEHAVIOURS: {
                    "type": "multi_static_select",
                    "selected_options": [{"value": behaviours[1], "text": {"type": "plain_text", "text": "x"}}],
                }
            }
        },
    )
    with harness.deps.uow() as uow:
        tags = uow.evidence.get(evidence_id).tags
        assert [(t.behaviour_id, t.disputed_at) for t in tags] == [(behaviours[1], None)]


def test_disputed_evidence_is_on_the_engineers_home_with_the_retag_button(harness: Harness) -> None:
    behaviours, evidence_id = _setup(harness)
    _choose(harness, "UMGR", _dm(harness, "UMGR")[0], "dispute")
    comment = {DisputeBlock.COMMENT: {DisputeAction.COMMENT: {"type": "plain_text_input", "value": "Not <!here>"}}}
    harness.submit("UMGR", harness.fake.opened_views[-1], comment)

    harness.open_home("UREP")
    home = harness.home("UREP")
    text = message_text(home)
    assert "Disputed evidence to look at" in text and "Ran the incident review &lt;!channel&gt;" in text
    assert "Comment: Not &lt;!here&gt;" in text and "<!here>" not in json.dumps(home)
    harness.open_home("UMGR")
    assert "Disputed evidence" not in harness.home_text("UMGR")  # the engineer's to look at

    # The Home's "Change tag" is the DM's retag button: the same modal, and the Home redrawn after it.
    harness.action("UREP", EvidenceAction.RETAG, str(evidence_id), view=home)
    retag_view = harness.fake.opened_views[-1]
    assert retag_view["callback_id"] == Callback.RETAG
    picked = [{"value": behaviours[1], "text": {"type": "plain_text", "text": "x"}}]
    harness.submit(
        "UREP",
        retag_view,
        {
            EvidenceBlock.BEHAVIOURS: {
                EvidenceAction.BEHAVIOURS: {"type": "multi_static_select", "selected_options": picked}
            }
        },
    )
    assert "Disputed evidence to look at" not in harness.home_text("UREP")

    # Someone else's click on that button opens nothing of the engineer's.
    opened = len(harness.fake.opened_views)
    harness.action("UOTHER", EvidenceAction.RETAG, str(evidence_id), view=home)
    assert all("incident review" not in message_text(v) for v in harness.fake.opened_views[opened:])


def test_a_dispute_from_an_ephemeral_digest_is_answered_under_it(harness: Harness) -> None:
    _setup(harness)
    harness.command("UMGR", "digest <@UREP|riley>")
    digest = next(m for m in reversed(harness.ephemerals("UMGR")) if any(
        b.get("block_id", "").startswith(DigestBlock.SIGN_OFF_PREFIX) for b in m.get("blocks") or []
    ))  # fmt: skip
    block = _menu_block(digest)
    option = next(o for o in block["accessory"]["options"] if o["value"] == "dispute")
    harness.action(
        "UMGR",
        DigestAction.SIGN_OFF,
        message=digest,
        block_id=block["block_id"],
        action={"type": "overflow", "selected_option": option},
        container={"type": "message", "message_ts": digest["ts"], "channel_id": "DUMGR", "is_ephemeral": True},
    )
    modal = harness.fake.opened_views[-1]
    assert modal["callback_id"] == Callback.DISPUTE
    harness.submit("UMGR", modal, {})
    assert sum("doesn't show" in message_text(m) for m in _dm(harness, "UREP")) == 1
    assert "You said this doesn't show it; Riley has been told." in harness.last_ephemeral_text("UMGR")
