"""`/ladder admin ...`: workspace admins (`GROWTHBOT_ADMINS`) manage people and their prompt schedules.

Anyone else gets `access.NOT_AVAILABLE`, like every other refusal, and the refusal is audited. The rules
(who may, what changes, the audit entries) live in bot.services.admin; each subcommand calls one
bot.services.admin_requests use case.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.blocks.admin import admin_help_blocks, people_blocks
from bot.blocks.when import day_label, when_label
from bot.delivery.consent import send_consent_request
from bot.delivery.home import refresh_home
from bot.errors import UserFacingError
from bot.ids import LADDER_COMMAND
from bot.listeners.commands.prompts import parse_until
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.commands.targets import MENTION_HINT, parse_user, say
from bot.services import access, admin, admin_requests, slots
from bot.services.admin_requests import Refused, Unreachable
from bot.slack_directory import SlackDirectory

ADMIN = f"{LADDER_COMMAND} admin"
COMMANDS: list[tuple[str, str]] = [
    (f"{ADMIN} people [PAGE]", "everyone in growthbot: ladder, level, manager, prompt schedule, active or paused"),
    (f"{ADMIN} pause @person [until YYYY-MM-DD]", "pause someone's weekly prompt, until a date or until resumed"),
    (f"{ADMIN} resume @person", "turn someone's weekly prompt back on"),
    (
        f"{ADMIN} schedule @person WEEKDAY HH:MM [weekly|fortnightly]",
        "set someone's prompt day and time, in their time zone",
    ),
    (f"{ADMIN} manager @person @manager", "name someone's manager; nothing is shared until the person accepts"),
    (f"{ADMIN} deactivate @person", "stop prompting someone (they left, long leave); their data stays"),
    (f"{ADMIN} reactivate @person", "prompt someone again from their next slot"),
]


def _usage(action: str) -> str:
    usage = next(usage for usage, _ in COMMANDS if usage.startswith(f"{ADMIN} {action}"))
    return f"Usage: `{usage}`"


def _admin(ctx: LadderContext) -> None:
    words = ctx.words
    if not access.can_manage(ctx.user_id, ctx.deps.settings):
        wanted = words[0].lower() if words and words[0].lower() in ACTIONS else "help"
        admin_requests.refuse(ctx.deps, ctx.actor, f"admin {wanted}", ctx.deps.now())
        say(ctx, access.NOT_AVAILABLE)
        return
    action = ACTIONS.get(words[0].lower()) if words else None
    if action is None:
        blocks = admin_help_blocks(COMMANDS, can_read_evidence=ctx.deps.settings.admins_can_read_evidence)
        ctx.reply(blocks, "growthbot admin commands: " + ", ".join(usage for usage, _ in COMMANDS))
        return
    action(ctx, words[1:])


def _target(ctx: LadderContext, words: list[str], action: str) -> str | None:
    target = parse_user(words[0]) if words else None
    if target is None:
        say(ctx, f"{MENTION_HINT}\n{_usage(action)}")
    return target


def _people(ctx: LadderContext, words: list[str]) -> None:
    page = int(words[0]) if len(words) == 1 and words[0].isascii() and words[0].isdigit() and len(words[0]) < 7 else 1
    listed = admin_requests.list_people(ctx.deps, ctx.actor, page=page, now=ctx.deps.now())
    if isinstance(listed, Refused):
        say(ctx, access.NOT_AVAILABLE)
        return
    ctx.reply(people_blocks(listed), f"People in growthbot (page {listed.page} of {listed.pages})")


def _pause(ctx: LadderContext, words: list[str]) -> None:
    target = _target(ctx, words, "pause")
    if target is None:
        return
    try:
        until = parse_until(words[1:])
    except UserFacingError:
        say(ctx, f"I need a date like 2025-08-31.\n{_usage('pause')}")
        return
    change = admin_requests.pause(ctx.deps, ctx.actor, target, until=until, now=ctx.deps.now())
    if isinstance(change, Refused) or change.schedule is None:
        say(ctx, access.NOT_AVAILABLE)
        return
    state = change.schedule
    if not state.paused:
        text = (
            f"That date has passed, so <@{target}>'s prompts stay on. Next: {when_label(state.next_due_at, change.tz)}."
        )
    elif state.paused_indefinitely:
        text = f"<@{target}>'s prompts are paused until they or an admin resume them."
    else:
        text = f"<@{target}>'s prompts are paused until {day_label(state.paused_until, change.tz)} (their time)."
    say(ctx, text)
    refresh_home(ctx.client, ctx.deps, ctx.team_id, target)


def _resume(ctx: LadderContext, words: list[str]) -> None:
    target = _target(ctx, words, "resume")
    if target is None:
        return
    change = admin_requests.resume(ctx.deps, ctx.actor, target, now=ctx.deps.now())
    if isinstance(change, Refused) or change.schedule is None:
        say(ctx, access.NOT_AVAILABLE)
        return
    say(ctx, f"<@{target}>'s prompts are on. The next one comes {_when(change)}.")
    refresh_home(ctx.client, ctx.deps, ctx.team_id, target)


def _schedule(ctx: LadderContext, words: list[str]) -> None:
    target = _target(ctx, words, "schedule")
    if target is None:
        return
    try:
        slot = slots.parse_slot(words[1:])
    except slots.SlotError as error:
        say(ctx, f"{error}\n{_usage('schedule')}")
        return
    change = admin_requests.set_schedule(ctx.deps, ctx.actor, target, slot, now=ctx.deps.now())
    if isinstance(change, Refused) or change.schedule is None:
        say(ctx, access.NOT_AVAILABLE)
        return
    text = f"<@{target}> now gets prompts {slots.every(slot)} ({change.tz})."
    if change.schedule.paused:
        text += " Their prompts are paused; the new time applies once they resume."
    else:
        text += f" The next one comes {_when(change)}."
    say(ctx, text)
    refresh_home(ctx.client, ctx.deps, ctx.team_id, target)


def _manager(ctx: LadderContext, words: list[str]) -> None:
    target = _target(ctx, words, "manager")
    if target is None:
        return
    manager = parse_user(words[1]) if len(words) == 2 else None
    if manager is None:
        say(ctx, f"{MENTION_HINT}\n{_usage('manager')}")
        return
    now = ctx.deps.now()
    named = admin_requests.name_manager(
        ctx.deps, SlackDirectory(ctx.client), ctx.actor, subject_slack_id=target, manager_slack_id=manager, now=now
    )
    if isinstance(named, Unreachable):
        say(ctx, f"<@{named.slack_user_id}> can't be reached in Slack (unknown, a bot, or deactivated).")
        return
    if isinstance(named, Refused):
        say(ctx, access.NOT_AVAILABLE)
        return
    if named.already_active:
        say(ctx, f"<@{manager}> is already <@{target}>'s manager.")
        return
    sent = send_consent_request(ctx.deps, named.link_id, now)
    asked = "I asked" if sent else "I had already asked"
    say(
        ctx,
        f"{asked} <@{target}> to confirm <@{manager}> as their manager. "
        f"Nothing of theirs is shared with <@{manager}> until they accept.",
    )


def _deactivate(ctx: LadderContext, words: list[str]) -> None:
    target = _target(ctx, words, "deactivate")
    if target is None:
        return
    change = admin_requests.deactivate(ctx.deps, ctx.actor, target, now=ctx.deps.now())
    if isinstance(change, Refused):
        say(ctx, access.NOT_AVAILABLE)
        return
    if not change.changed:
        say(ctx, f"<@{target}> was already inactive.")
        return
    say(
        ctx,
        f"<@{target}> is deactivated: no more prompts. Their evidence, manager and schedule stay; "
        f"`{ADMIN} reactivate` undoes this.",
    )


def _reactivate(ctx: LadderContext, words: list[str]) -> None:
    target = _target(ctx, words, "reactivate")
    if target is None:
        return
    change = admin_requests.reactivate(ctx.deps, ctx.actor, target, now=ctx.deps.now())
    if isinstance(change, Refused):
        say(ctx, access.NOT_AVAILABLE)
        return
    if not change.changed:
        say(ctx, f"<@{target}> is already active.")
        return
    next_prompt = f" The next prompt comes {_when(change)}." if change.schedule and change.schedule.next_due_at else ""
    say(ctx, f"<@{target}> is active again.{next_prompt}")


def _when(change: admin.PersonChange) -> str:
    label = when_label(change.schedule.next_due_at if change.schedule else None, change.tz)
    return f"{label} (their time)" if label else "when they resume"


ACTIONS: dict[str, Callable[[LadderContext, list[str]], None]] = {
    "people": _people,
    "list": _people,
    "pause": _pause,
    "resume": _resume,
    "schedule": _schedule,
    "manager": _manager,
    "deactivate": _deactivate,
    "reactivate": _reactivate,
}

SUBCOMMAND = Subcommand(
    "admin",
    f"{ADMIN} [people|pause|resume|schedule|manager|deactivate|reactivate]",
    "for growthbot admins: manage people, their schedules and managers (never their evidence)",
    _admin,
    background=True,
    admin_only=True,
)
