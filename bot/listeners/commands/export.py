"""`/ladder export` (yourself) and `/ladder export @person` (their manager): the promotion packet as a
Markdown file uploaded to the requester's DM (files.getUploadURLExternal + files.completeUploadExternal,
which slack_sdk's files_upload_v2 does)."""

from __future__ import annotations

import re

from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.commands.targets import MENTION_HINT, parse_user, say
from bot.services import access
from bot.services.packet import build_packet, render_markdown
from bot.services.timing import local_date


def packet_filename(name: str, day: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "packet"
    return f"promotion-packet-{slug}-{day}.md"


def _export(ctx: LadderContext) -> None:
    subject = None
    if ctx.words:
        subject = parse_user(ctx.words[0]) if len(ctx.words) == 1 else None
        if subject is None:
            say(ctx, f"{MENTION_HINT}\nUsage: `{LADDER_COMMAND} export [@person]`")
            return
    now = ctx.deps.now()
    with ctx.deps.uow() as uow:
        grant = access.open_evidence(
            uow,
            ctx.deps.settings,
            team_id=ctx.team_id,
            viewer_slack_id=ctx.user_id,
            subject_slack_id=subject,
            action=access.EXPORTED,
            now=now,
            details={"format": "md", "via": "slack"},
        )
        if grant is None:
            say(ctx, access.NOT_AVAILABLE if subject else "You're not set up yet: run `/ladder setup` first.")
            return
        packet = build_packet(uow, ctx.deps.library, grant.subject, now=now)
        viewer_tz = grant.viewer.tz
    markdown = render_markdown(packet)
    filename = packet_filename(packet.person.name, local_date(now, viewer_tz).isoformat())
    channel = ctx.client.conversations_open(users=ctx.user_id)["channel"]["id"]
    ctx.client.files_upload_v2(
        channel=channel,
        content=markdown,
        filename=filename,
        title=f"Promotion packet: {packet.person.name}",
        initial_comment=f"Promotion packet for <@{packet.person.slack_user_id}>: {packet.evidence_count} items.",
    )
    say(ctx, f"I sent the promotion packet (`{filename}`) to your DM with me.")


SUBCOMMAND = Subcommand(
    "export",
    f"{LADDER_COMMAND} export [@person]",
    "a promotion packet (Markdown) of your evidence, or a report's if you are their manager",
    _export,
)
