"""End to end on both databases (issue 15): `/ladder log`, the evidence modal, a thread reply and the
shortcut with a NUL byte and other control characters save the text without them, instead of
PostgreSQL's "try again in a minute"."""

from __future__ import annotations

from bot.ids import Callback, EvidenceBlock
from tests.listeners.harness import Harness
from tests.listeners.test_prompt_flow import _select, _state, evidence, seed, sent_prompt


def test_ladder_log_with_a_nul_saves_the_text_without_it(harness_any: Harness) -> None:
    person_id = seed(harness_any)
    harness_any.command("U1", "log fixed the\x00 flaky\x07 deploy")
    shown = harness_any.last_ephemeral_text("U1")
    assert "Saved" in shown and "try again" not in shown
    assert [item.text for item in evidence(harness_any, person_id)] == ["fixed the flaky deploy"]


def test_the_modal_with_a_nul_saves_the_text_without_it(harness_any: Harness) -> None:
    person_id = seed(harness_any)
    harness_any.command("U1", "log")
    view = harness_any.fake.opened_views[-1]
    assert harness_any.submit("U1", view, _state("reviewed\x00 three PRs\x1b")).status == 200
    assert [item.text for item in evidence(harness_any, person_id)] == ["reviewed three PRs"]


def test_a_thread_reply_with_a_nul_saves_the_text_without_it(harness_any: Harness) -> None:
    person_id, message = sent_prompt(harness_any)
    harness_any.requests.message_event("U1", "paired\x00 on the\x08 migration", thread_ts=message["ts"])
    harness_any.settle()
    assert [item.text for item in evidence(harness_any, person_id)] == ["paired on the migration"]


def test_the_shortcut_on_a_message_with_a_nul_saves_the_text_without_it(harness_any: Harness) -> None:
    person_id = seed(harness_any)
    harness_any.fake.add_channel("C1", "general", ["U1"])
    ts = harness_any.fake.add_message("C1", "U1", "ran the\x00 retro")
    message = {"type": "message", "user": "U1", "text": "ran the\x00 retro", "ts": ts, "channel": "C1"}
    harness_any.requests.message_shortcut("U1", Callback.SAVE_AS_EVIDENCE, message, raw_text=True)
    harness_any.settle()
    view = harness_any.fake.opened_views[-1]
    chosen = harness_any.next_behaviour_ids("U1")[:1]
    harness_any.submit("U1", view, {EvidenceBlock.BEHAVIOURS: _select(chosen)})
    assert [item.text for item in evidence(harness_any, person_id)] == ["ran the retro"]
