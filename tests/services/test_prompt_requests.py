"""The prompt DM's buttons and `/ladder pause|resume|skip` (bot.services.prompt_requests), on both databases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest

from bot.services import prompt_requests
from bot.services.actor import Actor
from bot.services.evidence import NotSetUp
from storage.models import PromptState
from tests.conftest import Database
from tests.services.digest_data import add_prompt, make_world

NOW = datetime(2025, 3, 10, 12, 0)  # a Monday
NEXT_SLOT = datetime(2025, 3, 17, 10, 0)
REPORT = Actor("T1", "UREPORT")
OTHER = Actor("T1", "UOTHER")


@dataclass
class Prompted:
    person_id: int
    prompt_id: int


def _prompted(db: Database) -> Prompted:
    """The report, prompted an hour ago, with their weekly Monday 10:00 (UTC) slot."""
    with db.uow() as uow:
        world = make_world(uow)
        uow.schedules.upsert(world.report_id, weekday=0, local_time=time(10, 0), next_due_at=NEXT_SLOT)
        prompt = add_prompt(uow, world.report_id, NOW - timedelta(hours=1))
        return Prompted(world.report_id, prompt.id)


def _prompt(db: Database, prompted: Prompted) -> tuple[PromptState, datetime | None]:
    with db.uow() as uow:
        prompt = uow.prompts.get(prompted.prompt_id)
        return prompt.state, prompt.next_attempt_at


def _schedule(db: Database, prompted: Prompted) -> tuple[bool, datetime | None, datetime | None]:
    with db.uow() as uow:
        schedule = uow.schedules.get_for(prompted.person_id)
        return schedule.paused, schedule.paused_until, schedule.next_due_at


def test_a_button_on_someone_elses_prompt_changes_nothing(db: Database) -> None:
    prompted = _prompted(db)
    assert prompt_requests.press_prompt_button(db.uow, OTHER, prompted.prompt_id, "pause", NOW) is None
    assert prompt_requests.press_prompt_button(db.uow, REPORT, None, "pause", NOW) is None
    assert prompt_requests.resume_from_prompt(db.uow, OTHER, prompted.prompt_id, NOW) is None
    assert _schedule(db, prompted) == (False, None, NEXT_SLOT)


def test_nothing_this_week_and_snooze(db: Database) -> None:
    prompted = _prompted(db)
    press = prompt_requests.press_prompt_button
    assert press(db.uow, REPORT, prompted.prompt_id, "snooze", NOW) == prompted.prompt_id
    assert _prompt(db, prompted) == (PromptState.SENT, NOW + timedelta(days=1))  # its reminder, a day later
    assert press(db.uow, REPORT, prompted.prompt_id, "nothing_this_week", NOW) == prompted.prompt_id
    assert _prompt(db, prompted) == (PromptState.SKIPPED, None)


def test_pause_buttons_and_resume(db: Database) -> None:
    prompted = _prompted(db)
    press = prompt_requests.press_prompt_button
    assert press(db.uow, REPORT, prompted.prompt_id, "pause_until", NOW) == prompted.prompt_id  # no date picked
    assert _schedule(db, prompted) == (False, None, NEXT_SLOT)
    press(db.uow, REPORT, prompted.prompt_id, "pause_until", NOW, until=date(2025, 3, 20))
    assert _schedule(db, prompted) == (True, datetime(2025, 3, 20), datetime(2025, 3, 24, 10, 0))
    press(db.uow, REPORT, prompted.prompt_id, "pause", NOW)
    assert _schedule(db, prompted) == (True, None, None)
    resumed = prompt_requests.resume_from_prompt(db.uow, REPORT, prompted.prompt_id, NOW)
    assert resumed is not None and resumed.open_prompt_id == prompted.prompt_id and resumed.tz == "UTC"
    assert not resumed.state.paused and resumed.state.next_due_at == NEXT_SLOT


def test_commands_before_setup_are_not_set_up(db: Database) -> None:
    _prompted(db)
    for actor in (OTHER, Actor("T1", "UNOBODY")):  # no schedule; not in growthbot at all
        with pytest.raises(NotSetUp):
            prompt_requests.pause_prompts(db.uow, actor, NOW)
        with pytest.raises(NotSetUp):
            prompt_requests.resume_prompts(db.uow, actor, NOW)
        with pytest.raises(NotSetUp):
            prompt_requests.skip_next_prompt(db.uow, actor, NOW)


def test_pause_resume_and_skip_commands_name_the_open_prompt_to_redraw(db: Database) -> None:
    prompted = _prompted(db)
    paused = prompt_requests.pause_prompts(db.uow, REPORT, NOW, until=date(2025, 3, 20))
    assert paused.state.paused and paused.open_prompt_id == prompted.prompt_id
    resumed = prompt_requests.resume_prompts(db.uow, REPORT, NOW)
    assert not resumed.state.paused and resumed.state.next_due_at == NEXT_SLOT
    skipped = prompt_requests.skip_next_prompt(db.uow, REPORT, NOW)
    assert skipped.state.next_due_at == NEXT_SLOT + timedelta(weeks=1) and skipped.open_prompt_id is None
    prompt_requests.press_prompt_button(db.uow, REPORT, prompted.prompt_id, "nothing_this_week", NOW)
    assert prompt_requests.pause_prompts(db.uow, REPORT, NOW).open_prompt_id is None  # nothing open to redraw
