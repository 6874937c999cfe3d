"""The evidence modals' whole-ladder search: up to 100 of the person's ladder behaviours matching what
they typed, grouped by area. Slack waits at most 3 seconds for these options, so nothing else happens here."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.blocks.evidence_modal import search_option_groups
from bot.deps import Deps
from bot.ids import EvidenceAction
from bot.services.actor import Actor
from bot.services.capturing import actor_ladder
from bot.services.evidence import NotSetUp


def search_behaviours(ack: Ack, body: dict[str, Any], deps: Deps, actor: Actor) -> None:
    query = body.get("value") if isinstance(body.get("value"), str) else ""
    try:
        ladder = actor_ladder(deps.uow, deps.library, actor)
    except NotSetUp:
        ack(options=[])
        return
    found = ladder.search(deps.library, query)
    ack(option_groups=[group.to_dict() for group in search_option_groups(ladder.framework, found)])


def register(app: App, deps: Deps) -> None:
    app.options(EvidenceAction.SEARCH)(search_behaviours)
