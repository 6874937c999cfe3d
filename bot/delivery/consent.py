"""The DM asking a report to accept a manager, sent by the tick and right after a manager is named."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk.errors import SlackApiError

from bot.blocks.consent import consent_request_blocks, consent_request_text
from bot.deps import Deps
from bot.services import consent
from bot.services.send_errors import PERSON_GONE_ERRORS

log = logging.getLogger(__name__)

# Slack errors after which a consent DM is not worth retrying (the person is gone or unreachable).
GIVE_UP_ERRORS = PERSON_GONE_ERRORS | {"cannot_dm_bot"}


def send_consent_request(deps: Deps, link_id: int, now: datetime) -> bool:
    """DM the report one consent request for this link, once (bot.services.consent claims it first).
    True when a DM went out."""
    with deps.uow() as uow:
        request = consent.claim_consent_request(uow, link_id, now)
    if request is None:
        return False
    try:
        channel = deps.client.conversations_open(users=request.report_slack_id)["channel"]["id"]
        blocks = consent_request_blocks(
            link_id, request.manager_name, request.manager_slack_id, requested_by=request.requested_by
        )
        deps.client.chat_postMessage(
            channel=channel,
            text=consent_request_text(request.manager_name),
            blocks=[block.to_dict() for block in blocks],
        )
    except SlackApiError as error:
        code = str(error.response.get("error", "")) if error.response is not None else ""
        if code in GIVE_UP_ERRORS:
            log.warning("consent request %s not delivered (%s); not retrying", link_id, code)
            return False
        log.warning("consent request %s failed (%s); will retry on a later tick", link_id, code or error)
        with deps.uow() as uow:
            consent.retry_consent_request_later(uow, link_id)
        return False
    return True


def send_pending_consent_requests(deps: Deps, now: datetime, limit: int = 100) -> int:
    """DM every pending request that has not been DM'd yet (org import, setup modal); returns how many."""
    with deps.uow() as uow:
        link_ids = consent.links_awaiting_consent_request(uow, limit)
    return sum(1 for link_id in link_ids if send_consent_request(deps, link_id, now))
