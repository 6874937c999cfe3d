"""Closing replaced prompts: a prompt still unanswered when a newer one reached the person loses its
buttons (only the newest prompt is live). Sending the newer one marks the close pending
(`prompt_records.record_sent_many`); each tick, after its posts, takes a bounded batch of pending closes
(`take_closes`, each leased so a close that fails is taken again later and concurrent instances take
different ones) and records each done (`record_closed`). So closes the tick had no time for are done
by the next ticks, never dropped.

Slack-free: bot.delivery.prompts makes the chat.update and hands the outcome here as plain values.
"""

from __future__ import annotations

from datetime import timedelta

from bot.deps import Deps
from bot.services import focus
from bot.services.prompt_records import OpenPrompt, open_prompt
from bot.services.send_errors import MESSAGE_GONE_ERRORS

# A close that failed (rate limit past its wait, a 5xx, a dropped connection) is taken again after this.
CLOSE_LEASE = timedelta(minutes=10)
# Prompts sent longer ago than this keep their buttons (which still answer the right prompt).
CLOSE_HORIZON = timedelta(days=28)


def take_closes(deps: Deps, limit: int) -> list[OpenPrompt]:
    """Up to `limit` pending closes, oldest first, leased to this caller."""
    now = deps.now()
    with deps.uow() as uow:
        prompts = uow.prompt_closes.take(now, limit, CLOSE_LEASE, now - CLOSE_HORIZON)
        if not prompts:
            return []
        placements = uow.placements.current_for_many([prompt.person_id for prompt in prompts])
        focused = focus.prompt_focus_for_many(uow, deps.library, placements)
        closes: list[OpenPrompt] = []
        nothing_to_close: list[int] = []  # no message, or its behaviour left the ladder
        for prompt in prompts:
            shown = open_prompt(deps.library, prompt, focused.get(prompt.person_id, frozenset()))
            if shown is None:
                nothing_to_close.append(prompt.id)
            else:
                closes.append(shown)
        uow.prompt_closes.settle(nothing_to_close, closed_at=None)
    return closes


def is_done_despite(error: str) -> bool:
    """A chat.update that failed with `error` still settles the close: the message cannot change any more."""
    return error in MESSAGE_GONE_ERRORS


def record_closed(deps: Deps, prompt_id: int) -> None:
    """The prompt's buttons are off (or its message is gone): no close pending any more."""
    with deps.uow() as uow:
        uow.prompt_closes.settle([prompt_id], closed_at=deps.now())


def count_pending(deps: Deps) -> int:
    with deps.uow() as uow:
        return uow.prompt_closes.count_pending()
