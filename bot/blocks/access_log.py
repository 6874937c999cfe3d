"""The engineer's access log (`/ladder access`, a section of their App Home) and the break-glass DM.

Times are the engineer's local time (bot.blocks.when); names are escaped like any text from Slack.
"""

from __future__ import annotations

import json

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock, HeaderBlock

from bot.blocks.common import context, mrkdwn_sections
from bot.blocks.when import moment_text
from bot.ids import LADDER_COMMAND, AccessLogAction
from bot.services.access_log import AccessLogEntry, AccessLogPage
from bot.services.break_glass import BreakGlassDM
from bot.services.text import escape

EMPTY = "Nobody but you has read your growthbot data."
ABOUT = (
    "Every read of your evidence, assessments, digest or packet by someone else, newest first, "
    "in your time zone. Only you see this."
)


def entry_line(entry: AccessLogEntry, tz: str) -> str:
    when = moment_text(entry.at, tz)
    who = f"*{escape(entry.reader)}*"
    if entry.access_ended:
        return f":lock: {when} · {who}'s {escape(entry.what)}"
    flag = " · :rotating_light: read as an admin" if entry.break_glass else ""
    return f"{when} · {who} read {escape(entry.what)} · {escape(entry.surface or '')}{flag}"


def page_value(subject_slack_id: str, cursor: str | None) -> str:
    return json.dumps({"p": subject_slack_id, "c": cursor}, separators=(",", ":"))


def access_log_blocks(page: AccessLogPage) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text="Who read your data"), context(ABOUT)]
    if not page.entries:
        blocks += mrkdwn_sections([EMPTY if page.first_page else "Nothing older."])
    else:
        blocks += mrkdwn_sections(entry_line(entry, page.tz) for entry in page.entries)
    buttons = []
    if page.next_cursor is not None:
        buttons.append(
            ButtonElement(
                text="Older", action_id=AccessLogAction.OLDER, value=page_value(page.subject_slack_id, page.next_cursor)
            )
        )
    if not page.first_page:
        buttons.append(
            ButtonElement(
                text="Newest", action_id=AccessLogAction.NEWEST, value=page_value(page.subject_slack_id, None)
            )
        )
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return blocks


def home_access_log_blocks(entries: tuple[AccessLogEntry, ...], tz: str) -> list[Block]:
    """At most four blocks: the newest reads, and where to see them all."""
    lines = [entry_line(entry, tz) for entry in entries] or [EMPTY]
    return [
        DividerBlock(),
        HeaderBlock(text="Who read your data"),
        *mrkdwn_sections(lines)[:1],
        context(f"Only you see this. Everything, page by page: `{LADDER_COMMAND} access`."),
    ]


def _admin(dm: BreakGlassDM) -> str:
    """The admin as a mention (Slack shows their name), with growthbot's name for them when it has one."""
    mention = f"<@{dm.admin_slack_id}>"
    return mention if dm.admin_name == dm.admin_slack_id else f"*{escape(dm.admin_name)}* ({mention})"


def break_glass_text(dm: BreakGlassDM) -> str:
    return f"An admin, {_admin(dm)}, read your growthbot data"


def break_glass_blocks(dm: BreakGlassDM) -> list[Block]:
    reads = "\n".join(f"• {escape(what)}" + (f" ({count} times)" if count > 1 else "") for what, count in dm.reads)
    day = f"on {dm.day:%A} {dm.day.day} {dm.day:%B}"
    lines = [
        f":rotating_light: {_admin(dm)}, a growthbot admin, read your data "
        f"{day}, under the workspace's setting that lets admins read evidence:\n{reads}",
    ]
    return [
        *mrkdwn_sections(lines),
        context(f"You get one such message per admin per day. Every read is in `{LADDER_COMMAND} access`."),
    ]
