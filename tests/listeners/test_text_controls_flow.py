"""End to end on both databases (issue 15): `/ladder log` and the evidence modal with a NUL byte and other
control characters save the text without them, instead of PostgreSQL's "try again in a minute"."""

from __future__ import annotations

from tests.listeners.harness import Harness
from tests.listeners.test_prompt_flow import _state, evidence, seed


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
