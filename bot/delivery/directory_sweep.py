"""The users.list sweep: the catch-up for user_change events growthbot missed (it was down, or the
event subscription was off). A few pages per tick, resumable from the stored cursor
(bot.services.profiles decides when a sweep is due and stores each page).

users.list is cursor-paginated and Tier 2, 20+ calls a minute (docs.slack.dev/apis/web-api/pagination;
docs.slack.dev/reference/methods/users.list recommends no more than 200 users a page): a 10,000-person
workspace is 50 pages, a few minutes of ticks, so a tick never waits long for it.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.delivery.fanout import RateLimited, SlackCaller
from bot.deps import Deps
from bot.services import profiles
from bot.services.send_errors import TOKEN_ERRORS
from bot.services.tick import TickReport

log = logging.getLogger(__name__)

PAGE_SIZE = 200
PAGES_PER_TICK = 5  # about 15 s of a tick at the Tier 2 floor


def sweep_directory(deps: Deps, slack: SlackCaller, report: TickReport, max_pages: int = PAGES_PER_TICK) -> None:
    now = deps.now()
    with deps.uow() as uow:
        position = profiles.sweep_position(uow, now)
    if not position.due:
        return
    cursor = position.cursor
    for _ in range(max_pages):
        try:
            answer = slack.call("users.list", limit=PAGE_SIZE, **({"cursor": cursor} if cursor else {}))
        except (SlackApiError, RateLimited, OSError) as error:
            name = error.response.get("error") if isinstance(error, SlackApiError) else None
            if name == "invalid_cursor":
                with deps.uow() as uow:
                    profiles.restart_sweep(uow)
            if name in TOKEN_ERRORS:
                log.error("Slack refuses the bot token (%s): prompts wait until the install is fixed", name)
                slack.token_error = str(name)
            log.warning("users.list sweep paused (%s); it goes on next tick", error)
            report.add("sweep_paused")
            return
        cursor = (answer.get("response_metadata") or {}).get("next_cursor") or None
        members = answer.get("members") or []
        with deps.uow() as uow:
            matched = profiles.record_sweep_page(uow, members, cursor, now)
        report.add("profiles_swept", matched)
        if cursor is None:
            report.add("sweep_completed")
            return
