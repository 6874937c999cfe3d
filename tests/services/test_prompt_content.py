"""What a prompt DM says and shows (bot.services.prompt_content)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import pytest

from bot.services import prompt_controls
from bot.services.focus import milestone_of
from bot.services.prompt_content import content_for
from storage.models import PromptState
from tests.conftest import Database
from tests.delivery.world import World, make_world

MONDAY_SLOT = datetime(2024, 1, 8, 9, 0)  # Monday 10:00 in Paris (UTC+1 in winter)


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    with make_world(db) as running:
        yield running


def _dm_text(message: dict) -> str:
    return json.dumps(message["blocks"])


def test_empty_next_milestone_prompt_says_it_is_from_the_current_level(world: World) -> None:
    # luko-execution's Milestone 5 is empty everywhere: the prompt falls back to Milestone 4.
    pid = world.person("U1", level="4")
    assert world.tick(MONDAY_SLOT)["sent"] == 1
    [prompt] = world.prompts(pid)
    behaviour = world.deps.library["luko-execution"].behaviour(prompt.behaviour_ids[0])
    assert behaviour.level_id == "4"
    text = _dm_text(world.dm("U1")[0])
    assert "From your current level (Milestone 4): Milestone 5 lists no behaviours yet" in text
    assert "towards" not in text and "reaching Milestone 4" not in text
    with world.deps.uow() as uow:
        content = content_for(uow, world.deps.library, uow.prompts.get(prompt.id))  # type: ignore[arg-type]
    assert content is not None and content.fallback


def test_top_of_the_ladder_prompt_says_so(world: World) -> None:
    pid = world.person("U1", level="P4", ladder="flow")
    assert world.tick(MONDAY_SLOT)["sent"] == 1
    [prompt] = world.prompts(pid)
    assert world.deps.library["flow"].behaviour(prompt.behaviour_ids[0]).level_id == "P4"
    text = _dm_text(world.dm("U1")[0])
    assert "You are at the top of this ladder (P4): keep showing this" in text
    assert "towards" not in text and "reaching P4" not in text


def test_next_milestone_prompt_still_says_towards(world: World) -> None:
    world.person("U1", level="2")
    world.tick(MONDAY_SLOT)
    text = _dm_text(world.dm("U1")[0])
    assert "towards *Milestone 3*" in text and "current level" not in text


def test_what_a_prompt_dm_shows_follows_the_prompts_state(world: World) -> None:
    from bot.services.prompt_content import shown_prompt

    pid = world.person("U1")
    world.tick(MONDAY_SLOT)
    library = world.deps.library
    with world.deps.uow() as uow:
        [prompt] = uow.prompts.all_for(pid)
        person = uow.people.get(pid)
        assert person is not None
        assert shown_prompt(uow, library, prompt.id).look == "live"  # type: ignore[union-attr]
        prompt_controls.snooze_prompt(uow, prompt, MONDAY_SLOT)
        snoozed = shown_prompt(uow, library, prompt.id, snoozed=True)
        assert snoozed is not None and snoozed.look == "snoozed" and snoozed.until == prompt.next_attempt_at
        prompt_controls.pause(uow, person, MONDAY_SLOT)
        assert shown_prompt(uow, library, prompt.id).look == "paused"  # type: ignore[union-attr]
        prompt.state = PromptState.ANSWERED
        answered = shown_prompt(uow, library, prompt.id)
        assert answered is not None and answered.look == "answered" and answered.answers == 1
        assert shown_prompt(uow, library, 999_999) is None


def test_a_prompt_about_a_focus_behaviour_says_so(world: World) -> None:
    pid = world.person("U1", level="2")
    library = world.deps.library
    with world.deps.uow() as uow:
        placement = uow.placements.current_for(pid)
        assert placement is not None
        milestone = milestone_of(library["luko-execution"], placement)
        chosen = next(b for b in milestone.behaviours if b.area_id == "quality")
        uow.focus.add_once(pid, "luko-execution", chosen.id, MONDAY_SLOT)
    assert world.tick(MONDAY_SLOT)["sent"] == 1
    [prompt] = world.prompts(pid)
    assert prompt.behaviour_ids == [chosen.id]  # prompts prefer a focus behaviour without evidence
    text = _dm_text(world.dm("U1")[0])
    assert "One of your focus behaviours. It is part of reaching Milestone 3" in text
    with world.deps.uow() as uow:  # a redraw (after a button) says the same
        content = content_for(uow, library, uow.prompts.get(prompt.id))  # type: ignore[arg-type]
        assert content is not None and content.why.startswith("One of your focus behaviours.")
        uow.focus.remove(pid, [("luko-execution", chosen.id)])
    with world.deps.uow() as uow:
        content = content_for(uow, library, uow.prompts.get(prompt.id))  # type: ignore[arg-type]
        assert content is not None and "focus" not in content.why
