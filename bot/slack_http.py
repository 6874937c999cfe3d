"""HTTP connections to Slack that are kept open and reused (Web API calls and response_url posts).

slack_sdk's sync ``WebClient`` and ``WebhookClient`` send every request through ``urllib.request.urlopen``,
which opens a new connection each time and closes it after the answer (in production a TCP and TLS
handshake per call; bench/ack measured it at about 75% of an answer's wall time). slack_sdk offers no
option for a pooled transport in its urllib clients (the v2 RFC moved to ``requests.Session`` for
exactly this and v3 went back to urllib with no pooling: slackapi/python-slack-sdk#384), but each client
funnels every attempt through ONE method, ``_perform_urllib_http_request_internal(url, req)`` in
``WebClient`` and ``_perform_http_request_internal(url, req)`` in ``WebhookClient``, called inside the
retry loop. The subclasses here override just that method and send the same ``urllib.request.Request``
over a kept-alive ``http.client`` connection, answering exactly as urllib would: a non-2xx status raises
``urllib.error.HTTPError`` (so the rate-limit and server-error retry handlers see the same thing), a
failure to connect or send raises ``URLError`` and a connection dropped while waiting for the answer
raises http.client's own ``RemoteDisconnected`` / ``ConnectionResetError`` (so the connection-error
handler, and tests/faults, see the same errors as before).

An idle connection the server has closed is never reused: before reuse the socket is polled, and a
readable idle socket (end of file, or bytes nobody asked for) is discarded, as urllib3 does
(``is_connection_dropped``). So no request is ever silently re-sent on a new connection: a request is
sent once per attempt, and whether to attempt again stays the retry handlers' decision.

With a proxy configured, the clients fall back to slack_sdk's own transport.
"""

from __future__ import annotations

import functools
import http.client
import io
import select
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_bolt.context.respond import Respond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient, WebhookResponse

from bot.metrics import record_slack_answer, slack_outcome

# Idle connections kept per host; more concurrent requests open more and the extra ones are closed after.
IDLE_PER_HOST = 32
# An idle connection older than this is closed rather than reused (servers drop idle keep-alives too).
IDLE_SECONDS = 50.0

_Key = tuple[str, str, int]


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def text(self) -> str:
        return self.body.decode(self.headers.get_content_charset() or "utf-8")


@functools.cache
def _default_tls() -> ssl.SSLContext:
    return ssl.create_default_context()  # what urlopen uses when given no context


class ConnectionPool:
    """Kept-alive ``http.client`` connections per (scheme, host, port); thread-safe, most recent first."""

    def __init__(self, *, idle_per_host: int = IDLE_PER_HOST, idle_seconds: float = IDLE_SECONDS) -> None:
        self._idle: dict[_Key, list[tuple[http.client.HTTPConnection, float]]] = {}
        self._lock = threading.Lock()
        self._idle_per_host = idle_per_host
        self._idle_seconds = idle_seconds
        self.opened = 0  # connections opened so far (tests and the benchmark read it)

    def send(self, req: Request, *, timeout: float, ssl_context: ssl.SSLContext | None) -> Answer:
        """Send ``req`` once and return its answer, read in full; a non-2xx answer raises ``HTTPError``."""
        parts = urlsplit(req.full_url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise URLError(f"unsupported URL: {req.full_url}")
        key = (scheme, parts.hostname, parts.port or (443 if scheme == "https" else 80))
        connection = self._take(key) or self._open(key, timeout, ssl_context)
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        headers = {name.title(): value for name, value in req.header_items()}
        headers.setdefault("Host", parts.netloc)
        try:
            connection.request(req.get_method(), target, body=req.data, headers=headers)
        except OSError as error:  # as urllib's do_open: a failure to connect or send is a URLError
            connection.close()
            raise URLError(error) from error
        try:
            answer = connection.getresponse()
            body = answer.read()
        except BaseException:  # RemoteDisconnected, ConnectionResetError, a timeout: reach the caller as they are
            connection.close()
            raise
        if answer.will_close:
            connection.close()
        else:
            self._give_back(key, connection)
        if not 200 <= answer.status < 300:  # as urllib's HTTPErrorProcessor (Slack's API never redirects)
            raise HTTPError(req.full_url, answer.status, answer.reason, answer.msg, io.BytesIO(body))
        return Answer(answer.status, answer.msg, body)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection, _ in connections:
                connection.close()

    def _open(self, key: _Key, timeout: float, ssl_context: ssl.SSLContext | None) -> http.client.HTTPConnection:
        scheme, host, port = key
        with self._lock:
            self.opened += 1
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl_context or _default_tls())
        return http.client.HTTPConnection(host, port, timeout=timeout)

    def _take(self, key: _Key) -> http.client.HTTPConnection | None:
        now = time.monotonic()
        while True:
            with self._lock:
                idle = self._idle.get(key)
                if not idle:
                    return None
                connection, since = idle.pop()
            if now - since < self._idle_seconds and not _dropped(connection):
                return connection
            connection.close()

    def _give_back(self, key: _Key, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self._idle_per_host:
                idle.append((connection, time.monotonic()))
                return
        connection.close()


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """An idle connection is readable only if the server closed it (or broke the protocol)."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


# One pool per process: gunicorn builds the app after its fork, and an idle connection inherited across
# a fork would be shared by two processes, so the pool is created lazily in the process that uses it.
_shared: ConnectionPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> ConnectionPool:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ConnectionPool()
        return _shared


class PooledWebClient(WebClient):
    """``slack_sdk.WebClient`` whose requests reuse kept-alive connections (see the module docstring)."""

    def __init__(self, *args: Any, pool: ConnectionPool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool = pool or shared_pool()

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None:
            return super()._perform_urllib_http_request_internal(url, req)
        answer = self.pool.send(req, timeout=self.timeout, ssl_context=self.ssl)
        if answer.headers.get_content_type() == "application/gzip":  # admin.analytics.getFile
            return {"status": answer.status, "headers": answer.headers, "body": answer.body}
        return {"status": answer.status, "headers": answer.headers, "body": answer.text()}


class PooledWebhookClient(WebhookClient):
    """``slack_sdk.WebhookClient`` (response_url posts) reusing kept-alive connections."""

    def __init__(self, *args: Any, pool: ConnectionPool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pool = pool or shared_pool()

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        if self.proxy is not None:
            return super()._perform_http_request_internal(url, req)
        # Every attempt counted for /metrics as method "response_url" (slack_sdk's WebhookClient consults
        # retry handlers only after an error, so a handler could not count the 200s).
        try:
            answer = self.pool.send(req, timeout=self.timeout, ssl_context=self.ssl)
        except HTTPError as error:
            record_slack_answer("response_url", slack_outcome(error.code, None))
            raise
        except OSError:
            record_slack_answer("response_url", slack_outcome(None, None))
            raise
        record_slack_answer("response_url", slack_outcome(answer.status, None))
        return WebhookResponse(url=url, status_code=answer.status, body=answer.text(), headers=answer.headers)  # type: ignore[arg-type]


class PooledRespond(Respond):
    """Bolt's ``respond()`` posting through ``PooledWebhookClient``. Bolt's ``Respond.__call__`` builds a
    new ``WebhookClient`` inline for every call, so the call is restated here with only the client changed
    (slack_bolt/context/respond/respond.py)."""

    def __init__(self, *, response_url: str | None, pool: ConnectionPool | None = None, **kwargs: Any) -> None:
        super().__init__(response_url=response_url, **kwargs)
        self.pool = pool

    def __call__(self, text: str | dict = "", **fields: Any) -> WebhookResponse:  # type: ignore[override]
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        client = PooledWebhookClient(url=self.response_url, proxy=self.proxy, ssl=self.ssl, pool=self.pool)
        message = _build_message(**text) if isinstance(text, dict) else _build_message(text=text, **fields)
        return client.send_dict(message)


def pooled_respond(context: Any, pool: ConnectionPool | None = None) -> Callable[..., WebhookResponse] | None:
    """What a Bolt middleware puts in ``context["respond"]`` for a request with a response_url."""
    if context.response_url is None:
        return None
    return PooledRespond(
        response_url=context.response_url, proxy=context.client.proxy, ssl=context.client.ssl, pool=pool
    )
