"""Check-in messages: the "Start rating" DM, the one reminder, the side-by-side result to both sides,
and the tick's check-in step. bot.services.checkin_tick decides; this module renders and sends.

The tick step (`tick_checkins`), in order: start the check-ins the 1:1 schedules made due (and DM both
raters), reveal those past their deadline (and send the result), send the reminders that fell due,
send results a stopped process revealed but never sent, and invites it saved but never sent. A quiet
tick is one unit of work with one statement (bot.services.checkin_tick.scan).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.blocks.checkin import (
    invite_blocks,
    invite_text,
    moved_blocks,
    moved_text,
    reminder_blocks,
    reminder_text,
    reveal_blocks,
    reveal_text,
)
from bot.deps import Deps
from bot.services import checkin_tick
from bot.services.checkin_requests import Started
from bot.services.send_errors import PERSON_GONE_ERRORS

log = logging.getLogger(__name__)

MESSAGE_MAX_BLOCKS = 50  # facts, "Block Kit limits": 50 blocks per message


def _dm(
    deps: Deps, slack_user_id: str, text: str, blocks: Sequence[Block], client: WebClient | None = None
) -> bool:
    """One DM (several messages when over 50 blocks), with `client` (a listener's) or the tick's; False
    when Slack refused it."""
    client = client or deps.client
    dicts = [block.to_dict() for block in blocks]
    try:
        channel = client.conversations_open(users=slack_user_id)["channel"]["id"]
        for start in range(0, max(len(dicts), 1), MESSAGE_MAX_BLOCKS):
            client.chat_postMessage(channel=channel, text=text, blocks=dicts[start : start + MESSAGE_MAX_BLOCKS])
    except SlackApiError as error:
        code = str(error.response.get("error", "")) if error.response is not None else ""
        level = logging.INFO if code in PERSON_GONE_ERRORS else logging.WARNING
        log.log(level, "check-in DM to %s not sent (%s)", slack_user_id, code or error)
        return False
    return True


def send_invites(deps: Deps, started: Started, *, scheduled: bool = False, record: bool = True) -> int:
    """DM the "Start rating" button: to the other rater, or to both for a check-in the schedule started;
    then stamp them sent (a check-in left unstamped is sent by the tick's sweep)."""
    targets = [started.person_slack_id, started.manager_slack_id] if scheduled else [started.other_rater]
    sent = 0
    for target in targets:
        if target:
            tz = started.tz_of(target)  # the reader's local date
            text, blocks = (
                invite_text(started, scheduled=scheduled, tz=tz),
                invite_blocks(started, scheduled=scheduled, tz=tz),
            )
            sent += _dm(deps, target, text, blocks)
    if record:
        checkin_tick.record_invites_sent(deps.uow, started.checkin_id, deps.now())
    return sent


def tell_new_manager(client: WebClient, deps: Deps, started: Started) -> bool:
    """DM a new manager the "Start rating" button of their report's open check-in, which moved to them
    when the report accepted them (bot.services.checkins.follow_manager_change)."""
    if not started.manager_slack_id:
        return False
    tz = started.tz_of(started.manager_slack_id)
    return _dm(deps, started.manager_slack_id, moved_text(started, tz), moved_blocks(started, tz), client)


def send_reveal(deps: Deps, checkin_id: int, now: datetime, *, record: bool = True) -> int:
    """DM both sides the result of a revealed check-in, then mark it sent; returns DMs sent."""
    sent = 0
    for note in checkin_tick.reveal_notes(deps.uow, deps.library, checkin_id, now):
        sent += _dm(deps, note.slack_user_id, reveal_text(note), reveal_blocks(note))
    if record:
        checkin_tick.record_reveal_sent(deps.uow, checkin_id, now)
    return sent


def tick_checkins(deps: Deps, now: datetime) -> dict[str, int]:
    """The tick's check-in step; returns what it did, by kind."""
    done: Counter[str] = Counter()
    scan = checkin_tick.scan(deps.uow, now)
    for one_on_one_id in scan.due_one_on_ones:
        started = checkin_tick.start_scheduled(deps.uow, deps.library, one_on_one_id, now)
        if started is not None:
            done["started"] += 1
            send_invites(deps, started, scheduled=True)
    for checkin_id in scan.past_deadline:
        if checkin_tick.reveal_at_deadline(deps.uow, checkin_id, now):
            done["revealed_at_deadline"] += 1
            send_reveal(deps, checkin_id, now)
    for checkin_id in scan.remind_candidates:
        for reminder in checkin_tick.claim_reminders(deps.uow, checkin_id, now):
            done["reminded"] += _dm(deps, reminder.slack_user_id, reminder_text(reminder), reminder_blocks(reminder))
    for checkin_id in scan.unsent:
        if checkin_tick.claim_unsent(deps.uow, checkin_id, now):
            done["late_reveals"] += 1
            send_reveal(deps, checkin_id, now, record=False)
    for checkin_id in scan.uninvited:
        lost = checkin_tick.claim_invites(deps.uow, deps.library, checkin_id, now)
        if lost is not None:
            done["late_invites"] += 1
            send_invites(deps, lost.started, scheduled=lost.scheduled, record=False)
    return dict(done)
