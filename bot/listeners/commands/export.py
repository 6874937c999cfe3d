"""`/ladder export` (yourself) and `/ladder export @person` (their manager): the promotion packet as a
Markdown file uploaded to the requester's DM (files.getUploadURLExternal + files.completeUploadExternal,
which slack_sdk's files_upload_v2 does)."""

from __future__ import annotations

import re

from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.commands.targets import optional_person, say, say_refused
from bot.services.evidence_reads import Refused, read_packet
from bot.services.packet_render import render_markdown
from bot.services.timing import local_date


def packet_filename(name: str, day: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "packet"
    return f"promotion-packet-{slug}-{day}.md"


def _export(ctx: LadderContext) -> None:
    understood, subject = optional_person(ctx, "export")
    if not understood:
        return
    now = ctx.deps.now()
    read = read_packet(ctx.deps, ctx.actor, subject, now)
    if isinstance(read, Refused):
        say_refused(ctx, read.someone_else)
        return
    packet = read.packet
    viewer_tz = read.viewer_tz
    markdown = render_markdown(packet, viewer_tz)
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
