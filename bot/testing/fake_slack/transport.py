"""The fake's HTTP side: a threaded server on 127.0.0.1, port 0, and the path every request takes.

A Web API call is parsed, judged by the armed faults as it arrives, delayed by the simulated latency,
authenticated, answered by its method handler (or an injected error) and recorded. Upload URLs and
response_urls are served beside ``/api/``.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.testing.fake_slack.faults import Faults
from bot.testing.fake_slack.methods.files import receive_upload
from bot.testing.fake_slack.methods.response_url import post_to_response_url
from bot.testing.fake_slack.oauth import access_answer
from bot.testing.fake_slack.protocol import SCOPES, Reply, SlackError, parse_params
from bot.testing.fake_slack.records import Call
from bot.testing.fake_slack.state import Handler, Workspace

logger = logging.getLogger(__name__)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops SYNs under a 64-client fan-out and costs a 1 s retransmit each.
    request_queue_size = 512

    def __init__(self, transport: Transport) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.transport = transport


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Keep-alive clients (aiohttp, http.client) otherwise stall ~40 ms per call on Nagle + delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        self._handle()

    def do_GET(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        reply = self.server.transport.route(path, query, body, dict(self.headers.items()))
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        # Headers and body leave in one write: fewer syscalls and no partial packets.
        self._headers_buffer.append(b"\r\n" + reply.body)
        self.flush_headers()


class Transport:
    """Serves one workspace's Web API with its faults and method table; with `add_team`, several
    workspaces on one server, as Slack's one Web API serves every workspace: each call is answered by
    the workspace its token belongs to (and judged by that workspace's own faults and rate limits)."""

    def __init__(
        self, world: Workspace, faults: Faults, methods: Mapping[str, Handler], *, record_calls: bool = True
    ) -> None:
        self.world = world
        self.faults = faults
        self.methods = methods
        self.record_calls = record_calls
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.teams: list[Transport] = [self]

    def add_team(self, team: Transport) -> None:
        self.teams.append(team)
        team.world.server_url = self.world.server_url

    def start(self) -> None:
        if self._server is not None:
            return
        self._server = _Server(self)
        for team in self.teams:
            team.world.server_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-slack", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        for team in self.teams:
            team.world.server_url = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def route(self, path: str, query: str, body: bytes, headers: dict[str, str]) -> Reply:
        lowered = {name.lower(): value for name, value in headers.items()}
        try:
            if path.startswith("/api/"):
                return self._api_call(path[len("/api/") :], query, body, lowered)
            if path.startswith("/upload/"):
                file_id = path[len("/upload/") :]
                team = self._team_where(lambda world: file_id in world.uploads)
                return receive_upload(team.world, file_id, body, lowered.get("content-type", ""))
            if path.startswith("/response_url/"):
                url = self.world.base_url + path
                team = self._team_where(lambda world: url in world.response_urls)
                # ``fail_next("response_url", 503)``: Slack's response_url endpoint failing as it arrives.
                return team.faults.on_arrival("response_url", {}) or post_to_response_url(team.world, url, body)
            return Reply.text(404, "not found")
        except Exception:
            message = traceback.format_exc()
            logger.error("fake Slack failed on %s:\n%s", path, message)
            with self.world.lock:
                self.world.recorded.internal_errors.append(message)
            return Reply.json(500, {"ok": False, "error": "fake_internal_error", "detail": message[-2000:]})

    def _team_where(self, holds: Callable[[Workspace], bool]) -> Transport:
        """The workspace that holds something (a token, an upload, a response_url); else this one."""
        for team in self.teams:
            with team.world.lock:
                if holds(team.world):
                    return team
        return self

    def _team_for(self, method: str, authorization: str, token: object, params: dict[str, Any]) -> Transport:
        if len(self.teams) == 1:
            return self
        if method == "oauth.v2.access":  # the install's code (or refresh token) names the workspace
            wanted = params.get("code") or params.get("refresh_token")
            return self._team_where(
                lambda world: world.oauth is not None
                and (wanted in world.oauth.codes or wanted in world.oauth.refresh_tokens)
            )
        presented = _presented_token(authorization, token)
        return self._team_where(
            lambda world: presented in world.installed_tokens
            or (world.oauth is None and presented == world.bot_token)
        )

    def _api_call(self, method: str, query: str, body: bytes, headers: dict[str, str]) -> Reply:
        started = time.time()
        params: dict[str, Any] = {}
        token: object = None
        try:
            params = parse_params(query, body, headers.get("content-type", ""))
            token = params.pop("token", None)
        except SlackError as error:
            return self._answer(method, params, token, headers, started, Reply.slack_error(error))
        team = self._team_for(method, headers.get("authorization", ""), token, params)
        return team._answer(method, params, token, headers, started, None)

    def _answer(
        self,
        method: str,
        params: dict[str, Any],
        token: object,
        headers: dict[str, str],
        started: float,
        reply: Reply | None,
    ) -> Reply:
        try:
            # Rate limits and outages judge a call as it arrives (this thread's later scheduling is the
            # fake's own noise, not the client's); the answer then takes the simulated latency.
            reply = reply or self.faults.on_arrival(method, params)
        except SlackError as error:
            reply = Reply.slack_error(error)
        latency = self.faults.latency_s
        if latency > 0:
            time.sleep(latency)
        if reply is None:
            try:
                if method == "oauth.v2.access":  # authenticates the app (client id and secret), not a bot
                    reply = self._oauth_access(headers.get("authorization", ""), params)
                else:
                    reply = self._bot_call(method, headers.get("authorization", ""), token, params)
            except SlackError as error:
                reply = Reply.slack_error(error)
        with self.world.lock:
            recorded = self.world.recorded
            recorded.counts[method] += 1
            if self.record_calls:
                recorded.calls.append(Call(method, params, started, reply.status, reply.error))
        return reply

    def _bot_call(self, method: str, authorization: str, token: object, params: dict[str, Any]) -> Reply:
        self._check_auth(authorization, token)
        handler = self.methods.get(method)
        if handler is None:
            raise SlackError("unknown_method", req_method=method)
        injected = self.faults.injected_error(method)
        if injected:
            raise SlackError(injected)
        reply = Reply.json(200, {"ok": True, **handler(self.world, params)}, {"X-OAuth-Scopes": SCOPES})
        return self.faults.late_failure(method) or reply

    def _check_auth(self, authorization: str, token: object) -> None:
        presented = _presented_token(authorization, token)
        if not presented:
            raise SlackError("not_authed")
        oauth = self.world.oauth
        if oauth is None:
            if presented != self.world.bot_token:
                raise SlackError("invalid_auth")
            return
        with self.world.lock:
            if presented not in self.world.installed_tokens:
                raise SlackError("invalid_auth")
            if oauth.expired(presented):
                raise SlackError("token_expired")

    def _oauth_access(self, authorization: str, params: dict[str, Any]) -> Reply:
        oauth = self.world.oauth
        if oauth is None:
            raise SlackError("invalid_client_id")
        with self.world.lock:
            oauth.check_client(authorization, params)
            token, fields = oauth.exchange(params)
            self.world.installed_tokens.add(token)
            answer = access_answer(self.world, fields, oauth)
        return Reply.json(200, {"ok": True, **answer}, {"X-OAuth-Scopes": SCOPES})


def _presented_token(authorization: str, token: object) -> str | None:
    presented = token if isinstance(token, str) and token else None
    if authorization.lower().startswith("bearer "):
        presented = authorization[len("bearer ") :].strip() or presented
    return presented
