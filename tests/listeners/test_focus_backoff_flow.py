"""Focus behaviours and prompts that back off, end to end: `/ladder focus` and the Home's focus modal over
signed requests, the manager seeing the focus on their Home, the response rate on Home; the tick's
back-off question, a button on it, and an answer restoring the cadence."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.delivery.tick import run_tick
from bot.ids import BackoffAction, Callback, FocusAction, FocusBlock
from bot.services import prompt_controls
from storage.models import Backoff, Cadence, PromptState
from tests.listeners.harness import Harness, message_text

NOW = datetime(2026, 6, 1, 7, 0)  # Monday 09:00 in Paris, before the 10:00 slot


def _seed(harness: Harness) -> int:
    harness.set_now(NOW - timedelta(days=1))
    harness.seed_person("UMGR", level="4", name="boss")
    person_id = harness.seed_person("UENG", level="2", manager="UMGR", name="ada")
    with harness.deps.uow() as uow:
        person = uow.people.get(person_id)
        assert person is not None
        prompt_controls.resume(uow, person, harness.now)  # next slot from the simulated clock
    harness.set_now(NOW)
    return person_id


def _dm(harness: Harness, user_id: str) -> list[dict[str, Any]]:
    channel = harness.fake.dm_channel_for(user_id)
    return [m for m in harness.fake.messages(channel) if m.get("thread_ts") in (None, m["ts"])]


def _tick(harness: Harness, moment: datetime) -> dict[str, int]:
    harness.set_now(moment)
    return dict(run_tick(harness.deps, instance_id="e2e").counts)


def test_focus_by_command_refusals_and_the_manager_sees_it(harness: Harness) -> None:
    _seed(harness)
    delivery = harness.next_behaviour_ids("UENG", "delivery")
    harness.command("UENG", f"focus {delivery[0]}")
    text = harness.last_ephemeral_text("UENG")
    behaviour = harness.library["luko-execution"].behaviour(delivery[0])
    assert "Now in focus" in text and "1 of 3" in text

    harness.command("UENG", f"focus {delivery[1]} {delivery[2]}")
    assert "3 of 3" in harness.last_ephemeral_text("UENG")
    quality = harness.next_behaviour_ids("UENG", "quality")
    harness.command("UENG", f"focus {quality[0]}")
    assert "at most 3 behaviours" in harness.last_ephemeral_text("UENG")
    harness.command("UENG", "focus delivery-1-01")  # their own level, not the next milestone
    refused = harness.last_ephemeral_text("UENG")
    assert "not part of your next milestone" in refused and "Milestone 3" in refused

    harness.open_home("UMGR")
    assert behaviour.text in harness.home_text("UMGR")  # the manager's team view shows the focus
    harness.open_home("UENG")
    home = harness.home_text("UENG")
    assert "Focus" in home and behaviour.text in home

    harness.command("UENG", "focus clear")
    assert "Focus cleared" in harness.last_ephemeral_text("UENG")


def test_focus_from_the_home_modal_and_a_forged_id_is_refused(harness: Harness) -> None:
    _seed(harness)
    harness.open_home("UENG")
    harness.action("UENG", FocusAction.OPEN, view=harness.home("UENG"))
    view = harness.fake.opened_views[-1]
    assert view["callback_id"] == Callback.FOCUS
    chosen = harness.next_behaviour_ids("UENG", "delivery")[:2]

    def select(ids: list[str]) -> dict[str, Any]:
        options = [{"value": i, "text": {"type": "plain_text", "text": i}} for i in ids]
        return {FocusBlock.SELECT: {FocusAction.SELECT: {"type": "multi_static_select", "selected_options": options}}}

    response = harness.submit("UENG", view, select(chosen))
    assert response.status == 200
    home = harness.home_text("UENG")
    for behaviour_id in chosen:
        assert harness.library["luko-execution"].behaviour(behaviour_id).text in home
    forged = harness.submit("UENG", view, select(["not-on-the-ladder"]))
    assert forged.json()["response_action"] == "errors"
    assert "not on your ladder" in str(forged.json()["errors"])


def test_the_back_off_question_a_button_and_an_answer_restoring_weekly(harness: Harness) -> None:
    person_id = _seed(harness)
    slot = NOW + timedelta(hours=1)
    for week in range(4):
        _tick(harness, slot + timedelta(days=7 * week, minutes=5))
    question = next(m for m in _dm(harness, "UENG") if "three prompts went unanswered" in m.get("text", ""))
    harness.open_home("UENG")
    assert "You answered 0 of the last 3 prompts." in harness.home_text("UENG")

    harness.action("UENG", BackoffAction.MONTHLY, "monthly", message=question)
    with harness.deps.uow() as uow:
        schedule = uow.schedules.get_for(person_id)
        assert schedule is not None and schedule.cadence is Cadence.MONTHLY and schedule.backoff is None
    assert "monthly" in message_text(harness.fake.response_url_posts[-1].body).lower()

    # The next prompt comes four weeks on; answering it restores nothing the person chose themself.
    for week in range(4, 9):
        _tick(harness, slot + timedelta(days=7 * week, minutes=5))
    with harness.deps.uow() as uow:
        sent = [p for p in uow.prompts.all_for(person_id) if p.sent_at is not None]
    assert [p.due_at - sent[2].due_at for p in sent[3:]] == [timedelta(days=35)]  # four weeks after the question
    prompt = sent[-1]
    harness.requests.message_event("UENG", "Shipped the export fix", thread_ts=prompt.message_ts)
    harness.settle()
    with harness.deps.uow() as uow:
        assert uow.prompts.get(prompt.id).state is PromptState.ANSWERED  # type: ignore[union-attr]
        schedule = uow.schedules.get_for(person_id)
        assert schedule is not None and schedule.cadence is Cadence.MONTHLY


def test_auto_fortnightly_line_and_back_to_weekly_button(harness: Harness) -> None:
    person_id = _seed(harness)
    slot = NOW + timedelta(hours=1)
    for week in range(5):
        _tick(harness, slot + timedelta(days=7 * week, minutes=5))
    line = next(m for m in _dm(harness, "UENG") if "now fortnightly" in m.get("text", ""))
    with harness.deps.uow() as uow:
        schedule = uow.schedules.get_for(person_id)
        assert schedule is not None and schedule.backoff is Backoff.AUTO
    harness.action("UENG", BackoffAction.KEEP, "keep", message=line)
    with harness.deps.uow() as uow:
        schedule = uow.schedules.get_for(person_id)
        assert schedule is not None and schedule.cadence is Cadence.WEEKLY and schedule.backoff is None
