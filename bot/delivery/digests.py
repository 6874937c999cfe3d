"""Sending digests: the tick's pre-1:1 digests (through the paced fan-out) and a long on-demand digest.

bot.services.digesting decides and records (claims, skips, outcomes); this module renders with
bot.blocks.digest and DMs the manager their digest and the report its preview. A few digests of one
tick are in flight at once, each claimed just before it is sent (the claim, an expiring row, is what
keeps several instances from sending it twice), their posts paced by the shared chat.postMessage
pacer. Each DM goes to the user id (Slack names the DM channel in its answer), so a digest costs its
posts and no conversations.open (Tier 3: 50 a minute would be 25 digests a minute).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from slack_sdk.errors import SlackApiError

from bot.blocks.digest import DigestMessage, digest_messages
from bot.delivery.fanout import RateLimited, SlackCaller, pipeline
from bot.deps import Deps
from bot.services import digesting
from bot.services.digesting import ClaimedDigest, DigestTickReport

log = logging.getLogger(__name__)

WIDTH = 4  # digests in flight at once: enough to keep the paced posts busy


def tick_digests(deps: Deps, now: datetime, *, instance_id: str | None = None, limit: int = 200) -> DigestTickReport:
    """Send every digest that is due at `now`. Safe to run from several instances at once."""
    instance_id = instance_id or digesting.default_instance_id()
    report = DigestTickReport()
    due = deque(digesting.due_one_on_ones(deps, now, limit))
    if not due:
        return report
    # The app's client: it retries rate limits, 5xx and dropped connections itself, as the digests'
    # sends always have; the caller paces them and waits out a rate limit that outlasts those retries.
    slack = SlackCaller(deps.client, own_post_client=False)

    def claim(_limit: int) -> tuple[list[ClaimedDigest], bool]:
        if not due:
            return [], False
        one_on_one_id = due.popleft()
        try:
            claimed = digesting.claim_digest(deps, one_on_one_id, now, instance_id, report)
        except Exception as error:  # one broken 1:1 must not stop the others
            _failed(report, one_on_one_id, error)
            return [], True
        return ([claimed] if claimed is not None else []), True

    def send(claimed: ClaimedDigest) -> None:
        try:
            _send(deps, slack, claimed, now, report)
        except Exception as error:
            _failed(report, claimed.one_on_one_id, error)

    with ThreadPoolExecutor(WIDTH, thread_name_prefix="digests") as pool:
        pipeline(pool, WIDTH, claim, send)
    return report


def _failed(report: DigestTickReport, one_on_one_id: int, error: Exception) -> None:
    log.exception("digest for 1:1 %s failed", one_on_one_id)
    report.errors.append(f"1:1 {one_on_one_id}: {error.__class__.__name__}: {error}")


def _send(deps: Deps, slack: SlackCaller, claimed: ClaimedDigest, now: datetime, report: DigestTickReport) -> None:
    try:
        channel, timestamps = dm_messages(slack, claimed.manager_slack_id, digest_messages(claimed.content, "manager"))
    except SlackApiError as error:
        code = str(error.response.get("error", "")) if error.response is not None else ""
        digesting.record_failure(deps, claimed, code, f"{code or 'slack_error'}: {error}", now, report)
        return
    except RateLimited as error:
        digesting.record_failure(deps, claimed, "ratelimited", f"ratelimited: {error}", now, report)
        return
    try:
        dm_messages(
            slack, claimed.report_slack_id, digest_messages(claimed.content, "preview", digest_id=claimed.digest_id)
        )
    except (SlackApiError, RateLimited) as error:
        # The manager has the digest; a failed preview must not make the tick send it again.
        log.warning("digest %s: preview to the report failed: %s", claimed.digest_id, error)
    digesting.record_sent(deps, claimed, channel, timestamps, now, report)


def dm_messages(slack: SlackCaller, user_slack_id: str, messages: Iterable[DigestMessage]) -> tuple[str, list[str]]:
    """DM `messages` in order; returns (channel, one ts per message). The first goes to the user id,
    the rest to the DM channel Slack's answer names (see bot.delivery.prompts._post_prompt)."""
    channel = user_slack_id
    timestamps = []
    for message in messages:
        answer = slack.call("chat.postMessage", channel=channel, text=message.text, blocks=message.to_dicts())
        channel = str(answer["channel"])
        timestamps.append(str(answer["ts"]))
    return channel, timestamps


def post_messages(deps: Deps, user_slack_id: str, messages: list[DigestMessage]) -> tuple[str, list[str]]:
    """`dm_messages` with the app's client, for a digest asked for on demand."""
    return dm_messages(SlackCaller(deps.client, own_post_client=False), user_slack_id, messages)
