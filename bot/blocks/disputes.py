"""Block Kit for disputes: the manager's small comment modal, the engineer's DM, the reply modal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.blocks.common import mrkdwn_sections, shorten
from bot.ids import Callback, DisputeAction, DisputeBlock, EvidenceAction
from bot.services.disputes import Disputed, DisputeForm
from bot.services.text import escape
from storage.models import MAX_COMMENT

MAX_QUOTED = 10  # evidence items quoted in the modal; the rest are named by count


def _quote(text: str) -> str:
    return ">" + escape(text).replace("\n", "\n>")


@dataclass(frozen=True, slots=True)
class DisputeMeta:
    """The modal's private_metadata: what it disputes and which digest part to redraw (all re-checked)."""

    person_id: int
    behaviour_id: str
    evidence_ids: tuple[int, ...]
    channel_id: str | None = None
    message_ts: str | None = None
    block_id: str | None = None
    response_url: str | None = None  # an ephemeral digest's: it cannot be redrawn, only answered

    def dump(self) -> str:
        return json.dumps(
            {
                "p": self.person_id,
                "b": self.behaviour_id,
                "e": list(self.evidence_ids),
                "c": self.channel_id,
                "t": self.message_ts,
                "k": self.block_id,
                "r": self.response_url,
            }
        )

    @classmethod
    def load(cls, raw: str | None) -> DisputeMeta | None:
        try:
            data = json.loads(raw or "")
            ids = tuple(int(i) for i in data["e"])
            return cls(
                int(data["p"]), str(data["b"]), ids, data.get("c"), data.get("t"), data.get("k"), data.get("r")
            )
        except (ValueError, KeyError, TypeError):
            return None


def dispute_modal(form: DisputeForm, meta: DisputeMeta) -> View:
    lines = [f"Tell {escape(form.person_name)} this doesn't show “{escape(form.behaviour_text)}”:"]
    lines += [_quote(text) for text in form.evidence_texts[:MAX_QUOTED]]
    if len(form.evidence_texts) > MAX_QUOTED:
        lines.append(f"_and {len(form.evidence_texts) - MAX_QUOTED} more_")
    lines.append("It stops counting toward coverage and stays visible, marked as disputed.")
    blocks: list[Block] = [
        *mrkdwn_sections(lines)[:20],
        InputBlock(
            block_id=DisputeBlock.COMMENT,
            optional=True,
            label=PlainTextObject(text="A comment for them (optional)"),
            element=PlainTextInputElement(action_id=DisputeAction.COMMENT, multiline=True, max_length=MAX_COMMENT),
        ),
    ]
    return View(
        type="modal",
        callback_id=Callback.DISPUTE,
        title=PlainTextObject(text="Doesn't show this"),
        submit=PlainTextObject(text="Dispute"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=meta.dump(),
        blocks=blocks,
    )


def _input_value(view: dict[str, Any], block_id: str, action_id: str) -> str:
    values = ((view.get("state") or {}).get("values") or {}).get(block_id) or {}
    return ((values.get(action_id) or {}).get("value") or "").strip()


def parse_dispute(view: dict[str, Any]) -> tuple[DisputeMeta | None, str]:
    return DisputeMeta.load(view.get("private_metadata")), _input_value(
        view, DisputeBlock.COMMENT, DisputeAction.COMMENT
    )


def disputed_text(disputed: Disputed) -> str:
    return f"{escape(disputed.manager_name)} thinks some of your evidence doesn't show a behaviour"


def disputed_dm_blocks(disputed: Disputed) -> list[Block]:
    """The engineer's DM: what was disputed, the escaped comment, and what they can do about it."""
    manager = escape(disputed.manager_name)
    lines = [f"{manager} thinks this doesn't show “{escape(disputed.behaviour_text)}”:"]
    lines += [_quote(item.text) for item in disputed.items[:MAX_QUOTED]]
    if disputed.comment:
        lines.append(f"{manager}'s comment: {_quote(disputed.comment)}")
    lines.append("It no longer counts toward your coverage. Change its tag, or reply to explain.")
    blocks: list[Block] = list(mrkdwn_sections(lines))
    for number, item in enumerate(disputed.items[:MAX_QUOTED], start=1):
        suffix = f" {number}" if len(disputed.items) > 1 else ""
        blocks.append(
            ActionsBlock(
                block_id=f"{DisputeBlock.ACTIONS}:{item.evidence_id}",
                elements=[
                    ButtonElement(
                        text=f"Change tag{suffix}", action_id=EvidenceAction.RETAG, value=str(item.evidence_id)
                    ),
                    ButtonElement(
                        text=shorten(f"Reply to {disputed.manager_name}", 75),
                        action_id=DisputeAction.REPLY,
                        value=f"{item.evidence_id}:{disputed.behaviour_id}",
                    ),
                ],
            )
        )
    return blocks


def reply_modal(evidence_id: int, behaviour_id: str, manager_name: str) -> View:
    return View(
        type="modal",
        callback_id=Callback.DISPUTE_REPLY,
        title=PlainTextObject(text="Reply"),
        submit=PlainTextObject(text="Send"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=json.dumps({"e": evidence_id, "b": behaviour_id}),
        blocks=[
            InputBlock(
                block_id=DisputeBlock.REPLY_TEXT,
                label=PlainTextObject(text=shorten(f"Your reply to {manager_name}", 150)),
                element=PlainTextInputElement(
                    action_id=DisputeAction.REPLY_TEXT, multiline=True, max_length=MAX_COMMENT
                ),
            )
        ],
    )


def parse_reply(view: dict[str, Any]) -> tuple[int | None, str | None, str]:
    try:
        data = json.loads(view.get("private_metadata") or "")
        evidence_id, behaviour_id = int(data["e"]), str(data["b"])
    except (ValueError, KeyError, TypeError):
        evidence_id, behaviour_id = None, None
    return evidence_id, behaviour_id, _input_value(view, DisputeBlock.REPLY_TEXT, DisputeAction.REPLY_TEXT)


def reply_text(report_name: str, behaviour_text: str, evidence_text: str, reply: str) -> str:
    """What the manager gets when the engineer replies to a dispute."""
    return f"{escape(report_name)} replied about “{escape(behaviour_text)}”:\n{_quote(evidence_text)}\n{_quote(reply)}"
