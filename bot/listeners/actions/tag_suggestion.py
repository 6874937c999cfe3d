"""The saved-confirmation's suggestion: "Tag as … instead", "Tag both", "Keep" (bot.services.tag_suggestions).

Each re-checks the item is the actor's and the behaviour is on their ladder, then redraws the note.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.blocks.prompt import evidence_saved_blocks, evidence_saved_text
from bot.deps import Deps
from bot.ids import EvidenceAction
from bot.services import access
from bot.services.actor import Actor
from bot.services.evidence import parse_id
from bot.services.evidence_forms import NotYours
from bot.services.tag_suggestions import apply_suggestion, keep_tags


def _parse(value: object) -> tuple[int, str] | None:
    evidence, _, behaviour = str(value or "").partition(":")
    evidence_id = parse_id(evidence)
    return (evidence_id, behaviour) if evidence_id is not None and behaviour else None


def suggestion_chosen(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond,
    deps: Deps,
    actor: Actor,
) -> None:
    ack()
    parsed = _parse(action.get("value"))
    if parsed is None:
        respond(text=access.NOT_AVAILABLE, response_type="ephemeral", replace_original=False)
        return
    evidence_id, behaviour_id = parsed
    chosen = action.get("action_id")
    if chosen == EvidenceAction.SUGGESTED_KEEP:
        outcome = keep_tags(deps.uow, deps.library, actor, evidence_id=evidence_id)
    else:
        outcome = apply_suggestion(
            deps.uow,
            deps.library,
            actor,
            evidence_id=evidence_id,
            behaviour_id=behaviour_id,
            keep_current=chosen == EvidenceAction.SUGGESTED_BOTH,
            now=deps.now(),
        )
    if isinstance(outcome, NotYours):
        respond(text=access.NOT_AVAILABLE, response_type="ephemeral", replace_original=False)
        return
    labels = [tag.label for tag in outcome.tags]
    text = evidence_saved_text(labels)
    blocks = [b.to_dict() for b in evidence_saved_blocks(outcome.evidence_id, labels)]
    container = body.get("container") or {}
    if container.get("is_ephemeral"):  # `/ladder log`'s answer: only its response_url can replace it
        respond(text=text, blocks=blocks, replace_original=True)
        return
    client.chat_update(channel=container.get("channel_id"), ts=container.get("message_ts"), text=text, blocks=blocks)


def register(app: App, deps: Deps) -> None:
    for action_id in (EvidenceAction.SUGGESTED_INSTEAD, EvidenceAction.SUGGESTED_BOTH, EvidenceAction.SUGGESTED_KEEP):
        app.action(action_id)(suggestion_chosen)
