"""The demo's setup steps: each person runs `/ladder setup` through the real modal, engineers accept their
manager, the manager pauses her own prompts from the App Home.

The brief transcript shows one engineer's setup in full; the manager's and the other engineers' are
played quietly and told in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.demo import forms
from bot.demo.team import Member
from bot.ids import ConsentAction, HomeAction, OnboardingAction, OnboardingBlock
from bot.services.slots import day_at_time

if TYPE_CHECKING:
    from bot.demo.scenario import Scenario


def setup(scenario: Scenario, member: Member) -> None:
    world = scenario.world
    first = not scenario.setup_shown
    scenario.setup_shown = True
    if first:
        # The modal is shown once, in full, with the ladder this person picks rather than the default.
        scenario.transcript.condenser.compact_next("modal", member.slack_id)
    scenario.narrate(member, f"{member.name} ({member.role}) types `/ladder setup`.")
    world.command(member.slack_id, "setup")
    view = world.current_view(member.slack_id)
    if view is None:
        scenario.unavailable("the setup modal")
        return
    framework = forms.element_in(view, OnboardingBlock.FRAMEWORK)
    chosen = (framework.get("initial_option") or {}).get("value")
    if chosen != member.framework:
        option = _option(framework, member.framework)
        if first:
            scenario.transcript.condenser.expand_next("modal", member.slack_id)
        scenario.narrate(
            member, f"{member.first_name} picks the ladder “{_label(option)}”; the modal shows its levels."
        )
        world.click(
            member.slack_id,
            OnboardingAction.FRAMEWORK,
            view=view,
            action={"type": "static_select", "selected_option": option},
            state_values=forms.fill(view, {OnboardingBlock.FRAMEWORK: member.framework}),
        )
        view = world.current_view(member.slack_id) or view
    answers: dict[str, object] = {
        OnboardingBlock.FRAMEWORK: member.framework,
        OnboardingBlock.LEVEL: member.level,
        OnboardingBlock.WEEKDAY: str(member.prompt_weekday),
        OnboardingBlock.TIME: f"{member.prompt_time:%H:%M}",
    }
    if member.manager:
        answers[OnboardingBlock.MANAGER] = member.manager
    level = _label(_option(forms.element_in(view, OnboardingBlock.LEVEL), member.level))
    manager = f", manager {scenario.team.member(member.manager).name}" if member.manager else ""
    scenario.narrate(
        member,
        f"{member.first_name} fills in: level {level}, weekly question on "
        f"{day_at_time(member.prompt_weekday, member.prompt_time)}{manager}; presses {forms.submit_button(view)}.",
    )
    world.submit(member.slack_id, view, answers)


def quietly_if(scenario: Scenario, quiet: bool, step: Callable[[Scenario, Member], None], member: Member) -> None:
    if not quiet:
        step(scenario, member)
        return
    with scenario.transcript.quietly():
        step(scenario, member)


def manager_set_up(scenario: Scenario, manager: Member) -> None:
    with scenario.transcript.quietly():
        pause_prompts(scenario, manager)
    framework = scenario.world.deps.library.get(manager.framework)
    scenario.narrate(
        manager,
        f"{manager.name} (manager) types /ladder setup, picks {framework.name if framework else manager.framework} "
        f"{manager.level}, then presses [ Pause prompts ] in the App Home: she only wants the digests for now.",
    )


def others_set_up(scenario: Scenario) -> None:
    library = scenario.world.deps.library
    parts = []
    for member in scenario.engineers[1:]:
        framework = library.get(member.framework)
        parts.append(f"{member.first_name} ({framework.name if framework else member.framework}, {member.level})")
    manager = scenario.team.manager.first_name
    scenario.transcript.note(
        f"  ({' and '.join(parts)} set up the same way, each at their own local time, and accept {manager} "
        "as their manager.)"
    )


def consent(scenario: Scenario, member: Member) -> None:
    request = next(
        (m for m in reversed(scenario.world.dm(member)) if forms.has_action(m, ConsentAction.ACCEPT)),
        None,
    )
    if request is None:
        scenario.unavailable(f"{member.first_name}'s manager consent request")
        return
    scenario.narrate(
        member, f"{member.first_name} accepts {scenario.team.member(member.manager or '').name} as manager."
    )
    scenario.world.click(member.slack_id, ConsentAction.ACCEPT, message=request)


def pause_prompts(scenario: Scenario, member: Member) -> None:
    home = scenario.world.fake.views_published.get(member.slack_id)
    if home is None or not forms.has_action(home, HomeAction.PAUSE_PROMPTS):
        scenario.unavailable("pausing prompts from the App Home")
        return
    scenario.narrate(
        member,
        f"{member.first_name} only wants the digests for now and presses [ Pause prompts ] in the App Home.",
    )
    scenario.world.click(member.slack_id, HomeAction.PAUSE_PROMPTS, view=home)


def _option(element: Any, value: str) -> dict[str, Any]:
    return forms.option_for(element, value)


def _label(option: dict[str, Any]) -> str:
    return str((option.get("text") or {}).get("text", option.get("value")))
