"""The one error path: every exception a listener lets through ends here (`@app.error`).

It logs with context (kind of request, team, user, command or callback) and a short reference, then
tells the person something useful: our own wording for `UserFacingError` and over-long input, a
generic apology with the reference otherwise. No stack trace or raw error text ever reaches Slack.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.logs import current_reference, new_reference
from bot.services.errors import UserFacingError
from bot.services.text import ENTITY_AT_END, escape
from storage.models import FieldTooLong

log = logging.getLogger(__name__)

SORRY = (
    ":warning: Sorry, something went wrong on our side and your request was not completed. "
    "Please try again in a minute; if it keeps happening, tell your growthbot admin (reference `{ref}`)."
)


def user_message(error: Exception, ref: str) -> str:
    """What the person sees: our own wording for known problems, never a stack trace or raw error."""
    if isinstance(error, UserFacingError):
        return f":warning: {error}"
    if isinstance(error, FieldTooLong):
        return f":warning: That was too long to save: {error}"
    return SORRY.format(ref=ref)


WRITTEN_BACK = "\n\nHere is what you wrote, so you can send it again:\n{quoted}"
# Slack cuts a message's text at 40,000 characters; a section holds 3,000 (slack-facts.md).
MAX_WRITTEN_BACK = 30_000
SECTION_LIMIT = 3_000


def written_by_user(body: dict[str, Any]) -> str | None:
    """What the person typed in this request: a slash command's whole line, or every text field of a
    submitted modal (in the form's order). None when they typed nothing."""
    if body.get("command") and str(body.get("text") or "").strip():
        return f"{body['command']} {body['text']}"
    if body.get("type") != "view_submission":
        return None
    state = ((body.get("view") or {}).get("state") or {}).get("values") or {}
    typed = [
        str(element["value"])
        for block in state.values()
        if isinstance(block, dict)
        for element in block.values()
        if isinstance(element, dict)
        and element.get("type") in ("plain_text_input", "url_text_input", "email_text_input")
        and str(element.get("value") or "").strip()
    ]
    return "\n".join(typed) or None


def with_written_back(text: str, body: dict[str, Any]) -> str:
    """The apology plus, quoted and escaped, what they typed: nothing is kept to retry (a capture that
    failed is not stored anywhere), so the person holds the only copy and can resend it."""
    typed = written_by_user(body)
    if not typed:
        return text
    quoted = "\n".join("> " + escape(line) for line in typed[:MAX_WRITTEN_BACK].splitlines())
    return text + WRITTEN_BACK.format(quoted=quoted)


def handle_error(
    error: Exception,
    body: dict[str, Any],
    request: BoltRequest,
    response: BoltResponse | None,
    respond: Respond | None,
    client: WebClient | None,
) -> BoltResponse | None:
    """Bolt's error handler (registered with `app.error`); also called for work run after the ack."""
    ref = current_reference() or new_reference()  # the request's, so its other log lines share it
    team_id, user_id = _who(body)
    kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
    if isinstance(error, UserFacingError | FieldTooLong):
        log.info(
            "user-facing error ref=%s kind=%s team=%s user=%s: %s",
            ref,
            kind,
            team_id,
            user_id,
            error,
            extra={"ref": ref},
        )
    else:
        log.error(
            "listener failed ref=%s kind=%s team=%s user=%s command=%s callback=%s event=%s",
            ref,
            kind,
            team_id,
            user_id,
            body.get("command"),
            (body.get("view") or {}).get("callback_id") or body.get("callback_id"),
            (body.get("event") or {}).get("type"),
            exc_info=error,
            extra={"ref": ref},
        )
    text = user_message(error, ref)
    if not isinstance(error, UserFacingError | FieldTooLong):
        text = with_written_back(text, body)
    ack = getattr(request.context, "ack", None)
    acked = ack is not None and ack.response is not None
    try:
        if response is not None and not acked:
            # Not acknowledged yet: the HTTP answer itself carries the message (Bolt sends `response`).
            return _unacknowledged_answer(kind, text)
        if response is not None and response.status >= 500 and ack is not None and ack.response is not None:
            # process_before_response: Bolt would replace the ack already given with a 500; keep the ack.
            _tell_out_of_band(text, respond, client, user_id)
            return ack.response
        _tell_out_of_band(text, respond, client, user_id)
    except Exception:  # the error path must never raise in turn; the first error is logged above
        log.warning("could not tell user %s about error ref=%s", user_id, ref, exc_info=True)
    return None


def _tell_out_of_band(text: str, respond: Respond | None, client: WebClient | None, user_id: str | None) -> None:
    if respond is not None and respond.response_url:
        respond(text=text, response_type="ephemeral", replace_original=False)
    elif client is not None and user_id:
        # No response_url (App Home buttons, events, submitted modals): a DM from the app.
        client.chat_postMessage(channel=user_id, text=text)


def _unacknowledged_answer(kind: str, text: str) -> BoltResponse:
    if kind == "slash_command":
        payload: dict[str, Any] = {"response_type": "ephemeral", "text": text}
    elif kind == "view_submission":
        view = {
            "type": "modal",
            "title": {"type": "plain_text", "text": "growthbot"},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": part}} for part in _sections(text)],
        }
        # Pushed on top, not replacing the form: closing the apology goes back to what was typed.
        payload = {"response_action": "push", "view": view}
    else:
        return BoltResponse(status=200, body="")
    return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})


def _sections(text: str) -> list[str]:
    """`text` in section-sized parts, never cutting an escape entity (&amp;) in two."""
    parts = []
    while text:
        part = text[:SECTION_LIMIT]
        if len(part) < len(text):
            part = ENTITY_AT_END.sub("", part) or part
        parts.append(part)
        text = text[len(part) :]
    return parts


def _who(body: dict[str, Any]) -> tuple[str | None, str | None]:
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    user = body.get("user_id") or (body.get("user") or {}).get("id") or (body.get("event") or {}).get("user")
    if isinstance(user, dict):
        user = user.get("id")
    return team, user
