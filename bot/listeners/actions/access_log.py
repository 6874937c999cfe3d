"""The "Older" / "Newest" buttons of `/ladder access`. The value names whose log and the page cursor;
both are re-checked (the clicker must be that person), a forged one gets the neutral refusal."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond

from bot.blocks.access_log import access_log_blocks
from bot.deps import Deps
from bot.ids import AccessLogAction
from bot.services.access import NOT_AVAILABLE
from bot.services.access_log import Refused, read_access_log
from bot.services.actor import Actor


def parse_value(value: object) -> tuple[str, str | None] | None:
    """(person id, cursor) from a button value; None when it is not one this app wrote."""
    try:
        data = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    person, cursor = data.get("p"), data.get("c")
    if not isinstance(person, str) or not (cursor is None or isinstance(cursor, str)):
        return None
    return person, cursor


def page_clicked(action: dict[str, Any], respond: Respond, ack: Ack, deps: Deps, actor: Actor) -> None:
    ack()
    parsed = parse_value(action.get("value"))
    page = (
        read_access_log(deps.uow, actor, subject_slack_id=parsed[0], cursor=parsed[1], now=deps.now())
        if parsed is not None
        else Refused()
    )
    if isinstance(page, Refused):
        respond(text=NOT_AVAILABLE, response_type="ephemeral", replace_original=False)
        return
    blocks = [block.to_dict() for block in access_log_blocks(page)]
    # The click's response_url can replace the original message even when it is ephemeral, as the
    # `/ladder access` answer is (docs.slack.dev/messaging/modifying-messages, "Updating messages using
    # response_url"); chat.update cannot.
    respond(text="Who read your growthbot data", blocks=blocks, response_type="ephemeral", replace_original=True)


def register(app: App, deps: Deps) -> None:
    app.action(AccessLogAction.OLDER)(page_clicked)
    app.action(AccessLogAction.NEWEST)(page_clicked)
