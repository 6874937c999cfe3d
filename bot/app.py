"""`create_app(deps)`: the Bolt app, with every listener registered and one error path.

There is no module-level app: the CLI, the production server, the benchmark and the tests each build
their own from a `Deps`, so nothing is registered as an import side effect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor

from slack_bolt import Ack, App, BoltRequest, BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.middleware import Middleware

from bot.deps import Deps
from bot.errors import handle_error
from bot.listeners import register_all
from bot.listeners.request_context import RequestContext
from bot.logs import ContextThreadPoolExecutor

# Bolt's default pool has 5 threads; listeners wait on the database and the Web API, so more threads
# keep a burst of commands from queueing behind each other's Slack calls.
DEFAULT_LISTENER_THREADS = 32


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
    if deps.oauth is None:
        settings.require("slack_bot_token", *(() if socket_mode else ("slack_signing_secret",)))
    else:  # an OAuth install answers Slack over HTTP: the install redirect needs a web address anyway
        settings.require("slack_client_id", "slack_client_secret", "slack_signing_secret")
    app = App(
        name="growthbot",
        signing_secret=settings.slack_signing_secret or "",
        client=deps.client,
        oauth_settings=deps.oauth,
        # Handing Bolt the store as well makes its authorize (and the token rotator in it) use this
        # client's API address, not slack.com's default.
        installation_store=deps.oauth.installation_store if deps.oauth else None,
        installation_store_bot_only=True if deps.oauth else None,
        token_verification_enabled=token_verification,
        process_before_response=process_before_response,
        listener_executor=listener_executor or ContextThreadPoolExecutor(listener_threads, thread_name_prefix="bolt"),
        logger=_bolt_logger(),
    )
    app.error(handle_error)
    app.use(_KeepAckOnceGiven())
    app.use(RequestContext(deps))
    register_all(app, deps)
    return app


def _bolt_logger() -> logging.Logger:
    # Bolt reads SLACK_BOT_TOKEN from the environment even when handed a client built from that same
    # token, then warns at every start that the token "will be unused". It is not: the client carries it.
    logger = logging.getLogger("growthbot.bolt")
    if not any(isinstance(existing, _SameTokenWarning) for existing in logger.filters):
        logger.addFilter(_SameTokenWarning())
    return logger


class _SameTokenWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


class _StickyAck(Ack):
    """An Ack whose response, once given, is never reset to None.

    slack_bolt 1.30's ThreadListenerRunner, when a listener raises *after* ack(), runs the error
    handler and then sets `ack.response = None`; if that happens before the HTTP thread (polling every
    10 ms) saw the ack, Bolt waits out its 3 s timeout and answers 404. Our listeners ack first and may
    raise a UserFacingError right after, so the race is real (seen in tests/listeners/test_ladder_command.py).
    """

    @property  # type: ignore[override]
    def response(self) -> BoltResponse | None:
        return self._response

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is None and getattr(self, "_response", None) is not None:
            return
        self._response = value


class _KeepAckOnceGiven(Middleware):
    # A class middleware: Bolt calls it directly, without building keyword arguments per request.
    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        req.context["ack"] = _StickyAck()
        return next()
