"""The tick's catch-up for evidence that was saved but never confirmed.

A capture commits the evidence first and then shows the person it was saved (a reaction and a note in
the prompt's thread, the prompt DM redrawn as answered, or a DM). Slack has already had its ack by then,
so if the process stops in between, no retry comes and the person would see nothing and likely write
it again. Every listener records `confirmed_at` once the person has seen the confirmation; this task
confirms what is still unconfirmed a couple of minutes later. Taking a row is a conditional UPDATE, so
of several instances ticking, exactly one confirms it.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.services.evidence import message_of_key, tags_of
from storage.models import EvidenceSource

log = logging.getLogger(__name__)

CONFIRM_AFTER = timedelta(minutes=2)  # a listener still working on it is long done by then
CONFIRM_WITHIN = timedelta(days=1)  # a confirmation later than this would only confuse
BATCH = 100


@dataclass(frozen=True, slots=True)
class Pending:
    evidence_id: int
    source: EvidenceSource
    source_key: str | None
    user_id: str
    labels: tuple[str, ...]
    prompt_id: int | None
    prompt_channel: str | None
    prompt_ts: str | None


def _pending(deps: Deps, now: datetime) -> list[Pending]:
    with deps.uow() as uow:
        rows = uow.evidence.unconfirmed(now - CONFIRM_WITHIN, now - CONFIRM_AFTER, BATCH)
        people = uow.people.get_many([row.person_id for row in rows])
        found = []
        for row in rows:
            person = people.get(row.person_id)
            if person is None or not person.active:
                uow.evidence.mark_confirmed(row.id, now)  # nobody left to tell
                continue
            framework = deps.library.get(row.tags[0].framework_id) if row.tags else None
            prompt = uow.prompts.get(row.prompt_id) if row.prompt_id is not None else None
            found.append(
                Pending(
                    row.id,
                    row.source,
                    row.source_key,
                    person.slack_user_id,
                    tuple(tag.label for tag in tags_of(row, framework)),
                    row.prompt_id,
                    prompt.channel_id if prompt else None,
                    prompt.message_ts if prompt else None,
                )
            )
        return found


def _confirm(client: WebClient, deps: Deps, item: Pending) -> None:
    from bot.listeners.evidence_ui import confirm_by_dm, confirm_thread_reply, redraw_prompt

    reply = message_of_key(item.source_key) if item.source is EvidenceSource.PROMPT_REPLY else None
    if reply is not None and item.prompt_ts:
        confirm_thread_reply(client, reply[0], reply[1], item.prompt_ts, item.evidence_id, item.labels)
    else:
        confirm_by_dm(client, item.user_id, item.evidence_id, item.labels)
    if item.prompt_id is not None:
        redraw_prompt(client, deps, item.prompt_id)


def confirm_unconfirmed(deps: Deps, now: datetime, client: WebClient | None = None) -> Counter[str]:
    """Confirm evidence saved between a day and a couple of minutes ago and never confirmed."""
    client = client or deps.client
    report: Counter[str] = Counter()
    for item in _pending(deps, now):
        with deps.uow() as uow:
            if not uow.evidence.mark_confirmed(item.evidence_id, now):
                continue  # another instance took it
        try:
            _confirm(client, deps, item)
            report["confirmed"] += 1
        except SlackApiError as error:
            # Not retried: a confirmation that keeps failing is not worth a message every minute.
            log.warning("could not confirm evidence %s: %s", item.evidence_id, error.response.get("error"))
            report["failed"] += 1
        except OSError as error:  # a dropped connection or a timeout: the rest of the batch still goes
            log.warning("could not confirm evidence %s: %r", item.evidence_id, error)
            report["failed"] += 1
    return report
