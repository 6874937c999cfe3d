"""Slack failing the confirmation of a capture that committed (issue 15, item 5): no message ever says
the request was not completed, and the confirmation arrives exactly once (the tick's sweep, here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.ids import Callback, EvidenceBlock
from tests.conftest import Database
from tests.listeners.harness import Harness, message_text, start_harness
from tests.listeners.test_prompt_flow import (
    SET_UP_AT,
    SLOT_WINTER,
    _confirmations,
    _notes,
    _select,
    _state,
    dm,
    evidence,
    seed,
    sent_prompt,
)

FAILING = 3  # the first try and the Web API client's two retries; the next call (an apology) gets through


@pytest.fixture
def harness(db: Database) -> Iterator[Harness]:
    with start_harness(db) as running:
        yield running


def _everything_shown(harness: Harness) -> str:
    posts = [post.body for post in harness.fake.response_url_posts]
    return json.dumps(harness.fake.messages()) + json.dumps(harness.fake.ephemeral_messages()) + json.dumps(posts)


# "lost": Slack answers 5xx and posts nothing (the sweep posts the confirmation); "posted": Slack posts it
# but its answer fails, as when Slack times out late (the sweep finds it by its metadata, posts nothing).
FAULTS = ("lost", "posted")


def _fail_the_confirmation(harness: Harness, fault: str) -> None:
    if fault == "lost":
        harness.fake.fail_next("chat.postMessage", 503, times=FAILING)
    else:
        harness.fake.fail_next("chat.postMessage", 503, after_processing=True)


def _saved_once_by_the_sweep(harness: Harness, person_id: int, moment: datetime, fault: str = "lost") -> None:
    [saved] = evidence(harness, person_id)
    assert saved.confirmed_at is None  # left for the sweep, not marked as seen
    assert "not completed" not in _everything_shown(harness)
    harness.fake.clear_faults()
    outcome = "confirmed" if fault == "lost" else "found_posted"
    assert _confirmations(harness, moment + timedelta(minutes=3)) == {outcome: 1}
    assert _confirmations(harness, moment + timedelta(minutes=4)) == "nothing to confirm"
    assert "not completed" not in _everything_shown(harness)


@pytest.mark.parametrize("fault", FAULTS)
def test_the_evidence_modal_saved_while_slack_fails_its_dm(harness: Harness, fault: str) -> None:
    person_id = seed(harness)
    harness.open_home("U1")
    harness.action("U1", "home_log_evidence", None, view=harness.home("U1"))
    view = harness.fake.opened_views[-1]
    _fail_the_confirmation(harness, fault)
    harness.submit("U1", view, _state("Wrote the on-call handbook"))
    _saved_once_by_the_sweep(harness, person_id, SET_UP_AT, fault)
    assert sum("Saved as evidence" in message_text(m) for m in dm(harness, "U1")) == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_a_thread_reply_saved_while_slack_fails_its_note(harness: Harness, fault: str) -> None:
    person_id, message = sent_prompt(harness)
    _fail_the_confirmation(harness, fault)
    harness.requests.message_event("U1", "Wrote the migration plan", thread_ts=message["ts"])
    harness.settle()
    _saved_once_by_the_sweep(harness, person_id, SLOT_WINTER, fault)
    notes = _notes(harness, harness.fake.dm_channel_for("U1"), message["ts"])
    assert sum("Saved as evidence" in message_text(m) for m in notes) == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_the_shortcut_confirm_modal_saved_while_slack_fails_its_dm(harness: Harness, fault: str) -> None:
    person_id = seed(harness)
    harness.add_slack_user("U2", "pat")
    harness.fake.add_channel("C1", "general", ["U1", "U2"])
    ts = harness.fake.add_message("C1", "U2", "Thanks for the deploy fix")
    message = {"type": "message", "user": "U2", "text": "Thanks for the deploy fix", "ts": ts, "channel": "C1"}
    harness.requests.message_shortcut("U1", Callback.SAVE_AS_EVIDENCE, message)
    harness.settle()
    view = harness.fake.opened_views[-1]
    assert view["callback_id"] == Callback.SAVE_AS_EVIDENCE_CONFIRM
    _fail_the_confirmation(harness, fault)
    harness.submit("U1", view, {EvidenceBlock.BEHAVIOURS: _select(harness.next_behaviour_ids("U1")[:1])})
    _saved_once_by_the_sweep(harness, person_id, SET_UP_AT, fault)
    assert sum("Saved as evidence" in message_text(m) for m in dm(harness, "U1")) == 1


def test_ladder_log_saved_while_slack_fails_its_answer(harness: Harness) -> None:
    person_id = seed(harness)
    harness.fake.fail_next("response_url", 503, times=FAILING)
    harness.command("U1", "log Wrote the incident runbook")
    assert not [p for p in harness.fake.response_url_posts if p.status == 200]  # the answer never arrived
    _saved_once_by_the_sweep(harness, person_id, SET_UP_AT)
    assert sum("Saved as evidence" in message_text(m) for m in dm(harness, "U1")) == 1


def test_the_sweeps_own_post_failing_after_slack_posted_is_not_repeated(harness: Harness) -> None:
    person_id = seed(harness)
    harness.fake.fail_next("response_url", 503, times=FAILING)
    harness.command("U1", "log Wrote the incident runbook")
    harness.fake.clear_faults()
    harness.fake.fail_next("chat.postMessage", 503, after_processing=True)  # the sweep's DM
    assert evidence(harness, person_id)[0].confirmed_at is None
    assert _confirmations(harness, SET_UP_AT + timedelta(minutes=3)) == {"found_posted": 1}
    assert sum("Saved as evidence" in message_text(m) for m in dm(harness, "U1")) == 1


def test_the_sweep_tries_once_more_when_slack_did_not_post(harness: Harness) -> None:
    seed(harness)
    harness.fake.fail_next("response_url", 503, times=FAILING)
    harness.command("U1", "log Wrote the incident runbook")
    harness.fake.clear_faults()
    harness.fake.fail_next("chat.postMessage", 503)  # the sweep's first try; nothing posted
    assert _confirmations(harness, SET_UP_AT + timedelta(minutes=3)) == {"confirmed": 1}
    assert sum("Saved as evidence" in message_text(m) for m in dm(harness, "U1")) == 1
