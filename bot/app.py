"""`create_app(deps)`: the Bolt app, with every listener registered and one error path.

There is no module-level app: the CLI, the production server, the benchmark and the tests each build
their own from a `Deps`, so nothing is registered as an import side effect.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import UserFacingError
from bot.listeners import register_all
from storage.models import FieldTooLong

log = logging.getLogger(__name__)

# Bolt's default pool has 5 threads; listeners wait on the database and the Web API, so more threads
# keep a burst of commands from queueing behind each other's Slack calls.
DEFAULT_LISTENER_THREADS = 32

SORRY = (
    ":warning: Sorry, something went wrong on our side and your request was not completed. "
    "Please try again in a minute; if it keeps happening, tell your growthbot admin (reference `{ref}`)."
)


def create_app(
    deps: Deps,
    *,
    process_before_response: bool = False,
    token_verification: bool = True,
    socket_mode: bool = False,
    listener_threads: int = DEFAULT_LISTENER_THREADS,
    listener_executor: Executor | None = None,
) -> App:
    """Build the Bolt app. `token_verification=False` skips the auth.test call made at start-up.

    Socket Mode needs no signing secret (Slack's requests arrive over the app's own websocket); HTTP
    mode always verifies signatures.
    """
    settings = deps.settings
    settings.require("slack_bot_token", *(() if socket_mode else ("slack_signing_secret",)))
    app = App(
        name="growthbot",
        signing_secret=settings.slack_signing_secret or "",
        client=deps.client,
        token_verification_enabled=token_verification,
        process_before_response=process_before_response,
        listener_executor=listener_executor or ThreadPoolExecutor(listener_threads, thread_name_prefix="bolt"),
        logger=logging.getLogger("growthbot.bolt"),
    )
    app.error(_error_handler)
    app.middleware(_keep_ack_once_given)
    register_all(app, deps)
    return app


class _StickyAck(Ack):
    """An Ack whose response, once given, is never reset to None.

    slack_bolt 1.30's ThreadListenerRunner, when a listener raises *after* ack(), runs the error
    handler and then sets `ack.response = None`; if that happens before the HTTP thread (polling every
    10 ms) saw the ack, Bolt waits out its 3 s timeout and answers 404. Our listeners ack first and may
    raise a UserFacingError right after, so the race is real (seen in tests/bot/test_ladder_command.py).
    """

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is None and getattr(self, "_response", None) is not None:
            return
        self._response = value


def _keep_ack_once_given(context: BoltContext, next: Callable[[], None]) -> None:
    context["ack"] = _StickyAck()
    next()


def user_message(error: Exception, ref: str) -> str:
    """What the person sees: our own wording for known problems, never a stack trace or raw error."""
    if isinstance(error, UserFacingError):
        return f":warning: {error}"
    if isinstance(error, FieldTooLong):
        return f":warning: That was too long to save: {error}"
    return SORRY.format(ref=ref)


def _error_handler(
    error: Exception,
    body: dict[str, Any],
    request: BoltRequest,
    response: BoltResponse | None,
    respond: Respond | None,
    client: WebClient | None,
) -> BoltResponse | None:
    ref = uuid.uuid4().hex[:8]
    team_id, user_id = _who(body)
    kind = body.get("type") or ("slash_command" if "command" in body else "unknown")
    if isinstance(error, UserFacingError | FieldTooLong):
        log.info("user-facing error ref=%s kind=%s team=%s user=%s: %s", ref, kind, team_id, user_id, error)
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
        )
    text = user_message(error, ref)
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
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
        }
        payload = {"response_action": "update", "view": view}
    else:
        return BoltResponse(status=200, body="")
    return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})


def _who(body: dict[str, Any]) -> tuple[str | None, str | None]:
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    user = body.get("user_id") or (body.get("user") or {}).get("id") or (body.get("event") or {}).get("user")
    if isinstance(user, dict):
        user = user.get("id")
    return team, user
