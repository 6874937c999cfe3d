"""The break-glass DM: an engineer is told, once per admin and day, that an admin read their data
(bot.services.break_glass decides and claims; this renders and sends). Sent by the tick."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.access_log import break_glass_blocks, break_glass_text
from bot.deps import Deps
from bot.services import break_glass
from bot.services.send_errors import PERSON_GONE_ERRORS
from bot.services.tick import TickReport

log = logging.getLogger(__name__)

GIVE_UP_ERRORS = PERSON_GONE_ERRORS | {"cannot_dm_bot"}


def send_break_glass_notices(deps: Deps, client: WebClient, report: TickReport) -> None:
    now = deps.now()
    for notice_id in break_glass.ready_notices(deps.uow, now):
        dm = break_glass.claim_notice(deps.uow, notice_id, now)
        if dm is None:
            continue
        try:
            # A user id as `channel` posts to the app's DM with them (slack-facts, "Keeping profiles fresh").
            client.chat_postMessage(
                channel=dm.subject_slack_id,
                text=break_glass_text(dm),
                blocks=[block.to_dict() for block in break_glass_blocks(dm)],
            )
        except SlackApiError as error:
            code = str(error.response.get("error", "")) if error.response is not None else ""
            if code in GIVE_UP_ERRORS:
                log.warning("break-glass notice %s not delivered (%s); not retrying", notice_id, code)
                break_glass.record_sent(deps.uow, notice_id, now)
            else:
                log.warning("break-glass notice %s failed (%s); will retry on a later tick", notice_id, code or error)
                break_glass.retry_later(deps.uow, notice_id)
            report.add("break_glass_failed")
            continue
        break_glass.record_sent(deps.uow, notice_id, now)
        report.add("break_glass_sent")
