"""The demo's judgement steps: a blind check-in (an engineer starts it, both sides rate through the real
modals, the reveal), then the manager's promotion (`/ladder promote`, the confirmation, the engineer's DM;
the next prompt then comes from the new milestone).

They are played by the engineer whose next milestone is shortest, so the modals stay readable; the manager
judges every behaviour of it "consistently" (the promotion follows readiness, not the other way round),
the engineer is harder on themself where they have no evidence yet, so the reveal shows disagreements.
"""

from __future__ import annotations

from datetime import UTC, time, timedelta
from typing import TYPE_CHECKING, Any

from bot.demo import forms
from bot.demo.team import Member
from bot.ids import Callback, CheckinAction, CheckinBlock
from storage.models import Verdict

if TYPE_CHECKING:
    from bot.demo.scenario import Scenario

CHECKIN_WEEK = 3  # the check-in and the promotion happen in this week (when the run is that long)
MAX_PAGES = 20  # a guard: a check-in has one page per area of the milestone


def next_level_size(scenario: Scenario, member: Member) -> int:
    framework = scenario.framework_of(member)
    if framework is None:
        return 10**6
    ids = [level.id for level in framework.levels]
    if member.level not in ids or ids.index(member.level) + 1 >= len(ids):
        return 10**6
    following = ids[ids.index(member.level) + 1]
    return sum(1 for behaviour in framework.behaviours if behaviour.level_id == following)


def judged_engineer(scenario: Scenario) -> Member | None:
    """The engineer with the shortest next milestone (ties: team order) and a manager."""
    candidates = [member for member in scenario.team.engineers if member.manager]
    if not candidates:
        return None
    return min(candidates, key=lambda member: next_level_size(scenario, member))


def plan(scenario: Scenario) -> None:
    if scenario.weeks < CHECKIN_WEEK:
        return
    member = judged_engineer(scenario)
    if member is None:
        return
    from bot.demo.scenario import local_to_utc

    manager = scenario.team.member(member.manager or "")
    monday = (scenario.team.week_one + timedelta(days=7 * (CHECKIN_WEEK - 1))).date()
    tuesday, wednesday, friday = (monday + timedelta(days=n) for n in (1, 2, 4))
    steps = (
        (local_to_utc(member, tuesday, time(14, 0)), "checkin", lambda: start_checkin(scenario, member)),
        (local_to_utc(member, tuesday, time(14, 5)), "self rating", lambda: rate(scenario, member, member)),
        (local_to_utc(manager, wednesday, time(10, 0)), "manager rating", lambda: rate(scenario, manager, member)),
        (local_to_utc(manager, friday, time(11, 0)), "promote", lambda: promote(scenario, manager, member)),
    )
    for moment, name, run in steps:
        scenario.at(moment, name, run)


def start_checkin(scenario: Scenario, member: Member) -> None:
    scenario.narrate(member, f"{member.first_name} types `/ladder checkin` to compare notes with their manager.")
    scenario.world.command(member.slack_id, "checkin")


def _start_button(scenario: Scenario, rater: Member) -> dict[str, Any] | None:
    """The invite DM with the "Start rating" button, else the starter's own answer (an ephemeral message,
    which Slack identifies by the time it was shown)."""
    for message in reversed(scenario.world.dm(rater)):
        if forms.has_action(message, CheckinAction.OPEN):
            return message
    for item in reversed(scenario.transcript.shown):
        if rater.slack_id in item.user_ids and forms.has_action(item.payload, CheckinAction.OPEN):
            return {"type": "message", "ts": f"{item.at.replace(tzinfo=UTC).timestamp():.6f}", **item.payload}
    return None


def _verdict(scenario: Scenario, rater: Member, member: Member, behaviour_id: str, evidenced: set[str]) -> str:
    if rater.slack_id != member.slack_id:
        return Verdict.CONSISTENTLY.value
    return (Verdict.CONSISTENTLY if behaviour_id in evidenced else Verdict.SOMETIMES).value


def _evidenced(scenario: Scenario, member: Member) -> set[str]:
    with scenario.world.deps.uow() as uow:
        person = scenario.person_of(uow, member)
        items = uow.evidence.all_for(person.id) if person else []
        return {tag.behaviour_id for item in items if item.deleted_at is None for tag in item.tags}


def rate(scenario: Scenario, rater: Member, member: Member) -> None:
    message = _start_button(scenario, rater)
    if message is None:
        scenario.unavailable(f"{rater.first_name}'s “Start rating” button")
        return
    world = scenario.world
    whose = "the behaviours of the next milestone" if rater is member else f"{member.first_name}'s"
    scenario.narrate(rater, f"{rater.first_name} presses [ Start rating ] to rate {whose}.")
    world.click(rater.slack_id, CheckinAction.OPEN, message=message)
    view = world.current_view(rater.slack_id)
    if view is None or view.get("callback_id") != Callback.CHECKIN_PAGE:
        scenario.unavailable("the check-in modal")
        return
    evidenced = _evidenced(scenario, member)
    if rater is member:
        how = "“Consistently” where there is evidence, “Sometimes” elsewhere"
    else:
        how = "“Consistently” for every behaviour"
    scenario.narrate(rater, f"{rater.first_name} picks {how}, and submits.")
    for _ in range(MAX_PAGES):
        answers: dict[str, object] = {}
        for block_id, element in forms.input_blocks(view):
            if block_id.startswith(CheckinBlock.VERDICT_PREFIX.value) and element.get("type") == "radio_buttons":
                behaviour_id = block_id[len(CheckinBlock.VERDICT_PREFIX.value) :]
                answers[block_id] = _verdict(scenario, rater, member, behaviour_id, evidenced)
        response, _ = world.submit(rater.slack_id, view, answers)
        answer = response.json() if response.body else {}
        following = answer.get("view") if isinstance(answer, dict) else None
        if not following or following.get("callback_id") != Callback.CHECKIN_PAGE:
            return
        view = {**following, "id": view.get("id")}


def promote(scenario: Scenario, manager: Member, member: Member) -> None:
    framework = scenario.framework_of(member)
    if framework is None:
        return
    ids = [level.id for level in framework.levels]
    if member.level not in ids or ids.index(member.level) + 1 >= len(ids):
        return
    level = framework.levels[ids.index(member.level) + 1]
    area = framework.areas[0].name if len(framework.areas) == 1 else None
    words = f"{area} {level.name}" if area else level.name
    typed = f"promote @{member.first_name} {words}"
    scenario.narrate(
        manager, f"After the 1:1, {manager.first_name} records {member.first_name}'s promotion: `/ladder {typed}`"
    )
    world = scenario.world
    world.command(manager.slack_id, f"promote <@{member.slack_id}> {words}")
    view = world.current_view(manager.slack_id)
    if view is None or view.get("callback_id") != Callback.PROMOTION:
        scenario.unavailable("the promotion confirmation")
        return
    scenario.narrate(manager, f"{manager.first_name} reads the readiness and presses [ Promote ].")
    world.submit(manager.slack_id, view, {})
