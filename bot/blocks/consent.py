"""Block Kit for manager consent: the request DM, its decided state, and `/ladder team`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock

from bot.blocks.common import mrkdwn_sections
from bot.blocks.focus import report_focus_line
from bot.blocks.when import last_evidence_text
from bot.ids import LADDER_COMMAND, ConsentAction
from bot.services.text import escape


def consent_request_text(manager_name: str) -> str:
    return f"{escape(manager_name)} asked to be your manager in growthbot. Accept or decline?"


def consent_request_blocks(
    link_id: int, manager_name: str, manager_slack_id: str, *, requested_by: str | None = None
) -> list[Block]:
    who = f"<@{manager_slack_id}>"
    via = f" ({escape(requested_by)} set this up)" if requested_by else ""
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    f"{who} was named as your manager{via}.\n"
                    f"If you accept, {who} will see your evidence: a digest before each 1:1, on-demand "
                    "progress and your promotion packet. Every read is logged.\n"
                    "Until you accept, nothing is shared. You can remove the link at any time with "
                    f"`{LADDER_COMMAND} team remove @person`."
                )
            )
        ),
        ActionsBlock(
            elements=[
                ButtonElement(text="Accept", action_id=ConsentAction.ACCEPT, value=str(link_id), style="primary"),
                ButtonElement(text="Decline", action_id=ConsentAction.DECLINE, value=str(link_id)),
            ]
        ),
    ]


def consent_decided_blocks(accepted: bool, manager_slack_id: str) -> list[Block]:
    who = f"<@{manager_slack_id}>"
    if accepted:
        text = f":white_check_mark: You accepted {who} as your manager. They now see your evidence."
    else:
        text = f"You declined {who} as your manager. Nothing is shared with them."
    return [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ContextBlock(elements=[MarkdownTextObject(text=f"Change this any time with `{LADDER_COMMAND} team`.")]),
    ]


def consent_already_decided_blocks() -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text="This request was already answered or withdrawn."))]


def manager_told_text(report_slack_id: str, accepted: bool) -> str:
    if accepted:
        return f"<@{report_slack_id}> accepted you as their manager. You will get their digests before your 1:1s."
    return f"<@{report_slack_id}> declined the manager request."


def team_blocks(
    *,
    manager_slack_id: str | None,
    pending: list[tuple[int, str]],
    reports: list[tuple[str, bool]],
    readiness: Mapping[str, str] | None = None,
    focus: Mapping[str, Sequence[str]] | None = None,
    last_evidence_at: Mapping[str, datetime] | None = None,
    tz: str = "UTC",
) -> list[Block]:
    """pending: (link id, manager slack id) asking to manage the caller; reports: (slack id, active);
    readiness: a consenting report's readiness line (mrkdwn) by Slack id; focus: their focus behaviour
    texts (raw); last_evidence_at: when they last saved evidence (dates in the reader's `tz`)."""
    lines = ["*Your manager*"]
    lines.append(f"<@{manager_slack_id}>: sees your evidence." if manager_slack_id else "_Nobody at the moment._")
    blocks: list[Block] = mrkdwn_sections(lines)
    for link_id, slack_id in pending:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"<@{slack_id}> asked to be your manager.")))
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text="Accept", action_id=ConsentAction.ACCEPT, value=str(link_id), style="primary"),
                    ButtonElement(text="Decline", action_id=ConsentAction.DECLINE, value=str(link_id)),
                ]
            )
        )
    report_lines = ["*Your reports*"]
    if reports:
        report_lines += [
            _report_line(slack_id, active, readiness or {}, focus or {}, last_evidence_at or {}, tz)
            for slack_id, active in reports
        ]
    else:
        report_lines.append(f"_None yet. Add one with `{LADDER_COMMAND} team add @person`._")
    blocks += mrkdwn_sections(report_lines)
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"`{LADDER_COMMAND} team add @person` · `{LADDER_COMMAND} team remove @person` "
                    "(ends the link either way, and your 1:1s together)"
                )
            ]
        )
    )
    return blocks


def _report_line(
    slack_id: str,
    active: bool,
    readiness: Mapping[str, str],
    focus: Mapping[str, Sequence[str]],
    last_evidence_at: Mapping[str, datetime],
    tz: str,
) -> str:
    if not active:
        return f"• <@{slack_id}> (waiting for their consent)"
    line = f"• <@{slack_id}> · {last_evidence_text(last_evidence_at.get(slack_id), tz)}"
    if slack_id in readiness:
        line += f"\n      {readiness[slack_id]}"
    if focus.get(slack_id):
        line += f"\n      {report_focus_line(focus[slack_id])}"
    return line
