"""The demo's 1:1 steps: the manager schedules each 1:1, a report flags an item of their digest preview,
and repeated previews shrink to one line in the transcript.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.demo import forms, render
from bot.demo.shown import Shown
from bot.demo.team import Member
from bot.ids import DigestAction
from bot.services.slots import Slot, command_words

if TYPE_CHECKING:
    from bot.demo.scenario import Scenario


def compact_preview(scenario: Scenario, shown: Shown) -> str | None:
    """After the first one, an engineer's digest preview is the manager's digest again: one line."""
    if shown.kind not in ("message", "update") or not forms.has_action(shown.payload, DigestAction.ADD_NOTE):
        return None
    if shown.kind == "update":
        return f"{shown.audience}: the preview above, with the flagged item marked"
    scenario.previews_shown += 1
    if scenario.previews_shown == 1:
        return None
    if not scenario.transcript.full:
        return ""  # the brief transcript: every digest has its preview, as shown once
    what = render.mrkdwn(str(shown.params.get("text", "")), scenario.world.transcript.options)
    return f"{shown.audience}: {what} (the same digest, with its buttons)"


def schedule(scenario: Scenario) -> None:
    manager = scenario.team.manager
    for spec in scenario.team.one_on_ones:
        report = scenario.team.member(spec.report)
        slot = command_words(Slot(spec.weekday, spec.time, spec.cadence))
        # The person types @Name; Slack sends the command text with the mention as <@ID>.
        text = f"1on1 <@{report.slack_id}> {slot}"
        typed = f"1on1 @{report.first_name} {slot}"
        if spec is not scenario.team.one_on_ones[0] and not scenario.transcript.full:
            with scenario.transcript.quietly():
                scenario.world.command(manager.slack_id, text)
            scenario.transcript.note(f"  (and the 1:1 with {report.first_name}: /ladder {typed})")
            continue
        scenario.narrate(manager, f"{manager.first_name} sets up the 1:1 with {report.first_name}: `/ladder {typed}`")
        scenario.world.command(manager.slack_id, text)


def flag_in_preview(scenario: Scenario, member: Member) -> None:
    preview = next(
        (m for m in reversed(scenario.world.dm(member)) if forms.has_action(m, DigestAction.ADD_NOTE)),
        None,
    )
    if preview is None or not forms.has_action(preview, DigestAction.FLAG):
        return
    scenario.narrate(
        member,
        f"{member.first_name} reads the preview and presses [ Flag to discuss ] on an item, "
        "so it is raised at the 1:1.",
    )
    scenario.world.click(member.slack_id, DigestAction.FLAG, message=preview)
