"""`/ladder export` (yourself) and `/ladder export @person` (their manager): the promotion packet as a
Markdown file uploaded to the requester's DM (files.getUploadURLExternal + files.completeUploadExternal,
which slack_sdk's files_upload_v2 does)."""

from __future__ import annotations

import re

from bot.ids import LADDER_COMMAND
from bot.listeners.commands.subcommand import LadderContext, Subcommand
from bot.listeners.commands.targets import open_evidence_or_explain, optional_person, say
from bot.services import access
from bot.services.packet import build_packet, render_markdown
from bot.services.timing import local_date


def packet_filename(name: str, day: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "packet"
    return f"promotion-packet-{slug}-{day}.md"


def _export(ctx: LadderContext) -> None:
    understood, subject = optional_person(ctx, "export")
    if not understood:
        return
    now = ctx.deps.now()
    with ctx.deps.uow() as uow:
        grant = open_evidence_or_explain(ctx, uow, subject, access.EXPORTED, {"format": "md", "via": "slack"})
        if grant is None:
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
