"""A fake Slack Web API served over real HTTP, for the real ``slack_sdk.WebClient`` to talk to.

No machine here reaches Slack, so every Slack feature is proven against this server. It enforces the
rules in /work/shared/slack-facts.md ("facts" below); each rule is cited where it is applied.

    with FakeSlack() as fake:
        fake.add_user("U1", "ada", email="ada@example.com")
        client = make_web_client(fake.bot_token, fake.api_url)
        client.chat_postMessage(channel=client.conversations_open(users="U1")["channel"]["id"], text="hi")
        assert fake.messages(fake.dm_channel_for("U1"))[0]["text"] == "hi"

State is per instance and guarded by one lock; the server is a ``ThreadingHTTPServer`` on 127.0.0.1,
port 0, so tests can run side by side (unlike bolt-python's fixed-port mock server).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import math
import secrets
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP as HTTP_POLICY
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from bot.testing import block_rules

logger = logging.getLogger(__name__)

# facts, "Block Kit limits": "Message text over 40,000 chars is truncated". Real Slack documents
# `msg_too_long` for chat.postMessage; the fake rejects instead of truncating so that a digest which
# would be cut silently fails loudly in tests.
MESSAGE_TEXT_MAX = 40_000
# facts, "Time limits": "A trigger_id is single use and expires after about 3 seconds" (bolt-python #886).
TRIGGER_TTL_S = 3.0
# facts, "Time limits": "A response_url accepts a few uses within 30 minutes (unverified number)".
RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_TTL_S = 30 * 60

_TS_BASE_MICROS = 1_700_000_000 * 1_000_000
_JSON_PARAMS = ("blocks", "attachments", "view", "files", "metadata")
_SCOPES = (
    "chat:write,chat:write.public,commands,im:write,im:history,users:read,users:read.email,"
    "users.profile:read,reactions:write,files:write,team:read,channels:read"
)


@dataclass(frozen=True)
class Call:
    """One Web API call as the fake received it; ``params`` has JSON fields (blocks, view) parsed."""

    method: str
    params: dict[str, Any]
    at: float
    status: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass(frozen=True)
class UploadedFile:
    id: str
    filename: str
    title: str
    content: bytes
    channel_id: str | None
    initial_comment: str | None
    thread_ts: str | None


@dataclass(frozen=True)
class Reaction:
    channel: str
    ts: str
    name: str
    user: str


@dataclass(frozen=True)
class ResponseUrlPost:
    url: str
    body: dict[str, Any]
    at: float
    status: int


class SlackError(Exception):
    """A Slack error answer: HTTP 200 with ``{"ok": false, "error": ...}`` plus any extra fields."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class _Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    @classmethod
    def json(cls, status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> _Reply:
        error = None if data.get("ok", True) else data.get("error")
        all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        return cls(status, json.dumps(data).encode("utf-8"), all_headers, error)

    @classmethod
    def text(cls, status: int, text: str) -> _Reply:
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8"})


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    email: str | None
    tz: str
    deleted: bool = False
    is_bot: bool = False
    status_text: str = ""
    status_emoji: str = ""
    status_expiration: int = 0  # epoch seconds; 0: the status never expires

    def profile(self, team_id: str) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "status_text": self.status_text,
            "status_emoji": self.status_emoji,
            "status_expiration": self.status_expiration,
            "team": team_id,
            "image_72": f"https://avatars.example/{self.id}_72.png",
        }
        if self.email:
            profile["email"] = self.email
        return profile

    def to_slack(self, team_id: str) -> dict[str, Any]:
        zone = ZoneInfo(self.tz)
        now = datetime.now(UTC).astimezone(zone)
        offset = now.utcoffset()
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": now.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_bot": self.is_bot,
            "is_admin": False,
            "is_app_user": False,
            "profile": self.profile(team_id),
        }


@dataclass
class _Channel:
    id: str
    name: str
    is_im: bool = False
    user: str | None = None
    members: list[str] = field(default_factory=list)
    is_archived: bool = False
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_slack(self, users: dict[str, _User]) -> dict[str, Any]:
        if self.is_im:
            user = users.get(self.user or "")
            return {
                "id": self.id,
                "is_im": True,
                "user": self.user,
                "created": 1_700_000_000,
                "is_archived": False,
                "is_user_deleted": bool(user and user.deleted),
            }
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": True,
            "is_im": False,
            "is_private": False,
            "is_archived": self.is_archived,
            "is_member": True,
            "num_members": len(self.members),
            "created": 1_700_000_000,
        }


@dataclass
class _Trigger:
    issued_at: float
    user_id: str | None
    used: bool = False


@dataclass
class _ResponseUrl:
    url: str
    issued_at: float
    channel_id: str | None
    message_ts: str | None
    user_id: str | None
    uses: int = 0


@dataclass
class _Upload:
    id: str
    filename: str
    length: int
    content: bytes | None = None


@dataclass
class _Bucket:
    per_second: float
    burst: float
    per_channel: bool
    tokens: dict[str, float] = field(default_factory=dict)
    updated: dict[str, float] = field(default_factory=dict)

    def take(self, key: str, now: float) -> int | None:
        """Consume one token; when none is left, the whole seconds to wait (at least 1)."""
        tokens = min(
            self.burst, self.tokens.get(key, self.burst) + (now - self.updated.get(key, now)) * self.per_second
        )
        self.updated[key] = now
        if tokens >= 1:
            self.tokens[key] = tokens - 1
            return None
        self.tokens[key] = tokens
        return max(1, math.ceil((1 - tokens) / self.per_second))


def _int_param(value: object, *, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(str(value))
    except ValueError:
        raise SlackError("invalid_arguments") from None


def _ts_param(value: object, error: str) -> float | None:
    if value in (None, "", "0"):
        return None
    try:
        return float(str(value))
    except ValueError:
        raise SlackError(error) from None


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true")
    return bool(value)


def _parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    message = BytesParser(policy=HTTP_POLICY).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if not isinstance(name, str):
            continue
        fields[name] = payload if part.get_filename() else payload.decode("utf-8")
    return fields


def _parse_params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if body:
        if kind == "application/json":
            try:
                data = json.loads(body)
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(data, dict):
                raise SlackError("invalid_json")
            params.update(data)
        elif kind == "multipart/form-data":
            params.update(_parse_multipart(body, content_type))
        else:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in _JSON_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            # Left as a string when malformed: the method answers invalid_blocks_format / invalid_arguments.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops SYNs under a 64-client fan-out and costs a 1 s retransmit each.
    request_queue_size = 512

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
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
        reply = self.server.fake._route(path, query, body, dict(self.headers.items()))
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        # Headers and body leave in one write: fewer syscalls and no partial packets.
        self._headers_buffer.append(b"\r\n" + reply.body)
        self.flush_headers()


class FakeSlack:
    """A Slack workspace with one bot, served as a Web API on 127.0.0.1.

    Directory: ``add_user``, ``set_status``, ``set_tz``, ``deactivate``, ``add_channel``, ``add_message``.
    Interactivity: ``new_trigger_id``, ``new_response_url``.
    Faults: ``latency_s``, ``rate_limit``, ``fail_next``, ``fail_for``, ``set_error``, ``clear_faults``.
    Recording: ``calls``, ``last``, ``count``, ``counts``, ``messages``, ``thread``, ``ephemeral_messages``,
    ``views_published``, ``opened_views``, ``pushed_views``, ``updated_views``, ``view``,
    ``uploaded_files``, ``reactions``, ``response_url_posts``, ``deleted_messages``, ``clear``.
    """

    bot_user_id = "U0BOT"
    bot_id = "B0BOT"
    app_id = "A0GROWTH"
    team_name = "Growthbot Test"
    team_domain = "growthbot-test"

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        *,
        team_id: str = "T0001",
        latency_s: float = 0.0,
        record_calls: bool = True,
    ) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.latency_s = latency_s
        self.record_calls = record_calls
        self.trigger_ttl_s = TRIGGER_TTL_S
        self._lock = threading.RLock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._uploads: dict[str, _Upload] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}
        self._counter = 0
        self._ts_counter = 0

        self._buckets: dict[str, _Bucket] = {}
        self._fail_next: dict[str, list[int]] = {}
        self._fail_after: dict[str, list[int]] = {}  # processed, then answered with this 5xx
        self._fail_until: dict[str, tuple[float, int]] = {}
        self._errors: dict[str, list[str]] = {}

        self._reset_recordings()
        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "team.info": self._team_info,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "users.profile.get": self._users_profile_get,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.history": self._conversations_history,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "reactions.add": self._reactions_add,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }
        self._users[self.bot_user_id] = _User(self.bot_user_id, "growthbot", "Growthbot", None, "UTC", is_bot=True)

    def _reset_recordings(self) -> None:
        self._calls: list[Call] = []
        self._counts: Counter[str] = Counter()
        self._ephemerals: list[dict[str, Any]] = []
        self._deleted: list[dict[str, Any]] = []
        self._published: dict[str, dict[str, Any]] = {}
        self._opened: list[dict[str, Any]] = []
        self._pushed: list[dict[str, Any]] = []
        self._updated: list[dict[str, Any]] = []
        self._files: list[UploadedFile] = []
        self._reactions: list[Reaction] = []
        self._response_posts: list[ResponseUrlPost] = []
        self.internal_errors: list[str] = []

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started; call start() or use it as a context manager")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        """The value for ``WebClient(base_url=...)`` and ``SLACK_API_URL``."""
        return f"{self.base_url}/api/"

    def env(self, signing_secret: str = "test-signing-secret") -> dict[str, str]:
        """Environment variables that point growthbot at this fake."""
        return {
            "SLACK_BOT_TOKEN": self.bot_token,
            "SLACK_SIGNING_SECRET": signing_secret,
            "SLACK_API_URL": self.api_url,
        }

    # ------------------------------------------------------------------ directory

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        email: str | None = None,
        tz: str = "Europe/Paris",
        deleted: bool = False,
        is_bot: bool = False,
        status_text: str = "",
        status_emoji: str = "",
    ) -> dict[str, Any]:
        ZoneInfo(tz)  # fail fast on a typo
        user = _User(user_id, name, real_name or name, email, tz, deleted, is_bot, status_text, status_emoji)
        with self._lock:
            self._users[user_id] = user
            return user.to_slack(self.team_id)

    def _user(self, user_id: str) -> _User:
        try:
            return self._users[user_id]
        except KeyError:
            raise KeyError(f"no user {user_id!r} in the fake directory; call add_user first") from None

    def set_status(self, user_id: str, status_text: str, status_emoji: str = "", *, expiration: int = 0) -> None:
        """Like a person setting their status; ``expiration`` (epoch seconds, 0 = never) is when Slack
        clears it. The fake returns it as is in users.info, as Slack does until it is cleared."""
        with self._lock:
            user = self._user(user_id)
            user.status_text, user.status_emoji, user.status_expiration = status_text, status_emoji, expiration

    def set_tz(self, user_id: str, tz: str) -> None:
        ZoneInfo(tz)
        with self._lock:
            self._user(user_id).tz = tz

    def deactivate(self, user_id: str) -> None:
        with self._lock:
            self._user(user_id).deleted = True

    def add_channel(
        self, channel_id: str, name: str, members: list[str] | tuple[str, ...] = (), *, is_archived: bool = False
    ) -> None:
        with self._lock:
            self._channels[channel_id] = _Channel(channel_id, name, members=list(members), is_archived=is_archived)

    def dm_channel_for(self, user_id: str) -> str:
        """The id ``conversations.open`` gives (or gave) the bot's DM with this user."""
        return "D" + user_id

    def _open_dm(self, user_id: str) -> tuple[_Channel, bool]:
        channel_id = self.dm_channel_for(user_id)
        existing = self._channels.get(channel_id)
        if existing is not None:
            return existing, True
        channel = _Channel(channel_id, channel_id, is_im=True, user=user_id, members=[user_id, self.bot_user_id])
        self._channels[channel_id] = channel
        return channel, False

    def add_message(
        self, channel: str, user: str, text: str, *, thread_ts: str | None = None, ts: str | None = None
    ) -> str:
        """Store a message a person wrote (for events and shortcuts); returns its ts.

        A DM channel named by ``dm_channel_for(user)`` is created on the fly.
        """
        with self._lock:
            target = self._channels.get(channel)
            if target is None and channel == self.dm_channel_for(user) and user in self._users:
                target, _ = self._open_dm(user)
            if target is None:
                raise KeyError(f"no channel {channel!r} in the fake; call add_channel first")
            ts = ts or self._next_ts()
            message: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts, "team": self.team_id}
            self._store_message(target, message, thread_ts)
            return ts

    # ------------------------------------------------------------------ interactivity

    def new_trigger_id(self, user_id: str | None = None) -> str:
        """A trigger_id as Slack puts in interaction payloads: single use, valid ``trigger_ttl_s``."""
        with self._lock:
            trigger_id = f"{self._next_id()}.{self.team_id[1:] or '1'}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = _Trigger(time.monotonic(), user_id)
            return trigger_id

    def expire_trigger_ids(self) -> None:
        """Age every issued trigger_id past its lifetime (to test expiry without sleeping)."""
        with self._lock:
            for trigger in self._triggers.values():
                trigger.issued_at -= self.trigger_ttl_s + 1

    def new_response_url(
        self, *, channel_id: str | None = None, message_ts: str | None = None, user_id: str | None = None
    ) -> str:
        """A response_url on this fake; posts are recorded in ``response_url_posts``.

        Bound to a message (``channel_id`` + ``message_ts``), ``replace_original`` / ``delete_original``
        change that message as Slack would.
        """
        with self._lock:
            url = f"{self.base_url}/response_url/{self._next_id()}/{secrets.token_hex(12)}"
            self._response_urls[url] = _ResponseUrl(url, time.monotonic(), channel_id, message_ts, user_id)
            return url

    # ------------------------------------------------------------------ faults

    def rate_limit(self, method: str, per_second: float | None, burst: int = 1, *, per_channel: bool = False) -> None:
        """Token bucket per method (or per method and channel); ``per_second=None`` removes it.

        facts, "Rate limits": over the limit Slack answers HTTP 429 with ``Retry-After`` in seconds.
        """
        with self._lock:
            if per_second is None:
                self._buckets.pop(method, None)
            else:
                if per_second <= 0 or burst < 1:
                    raise ValueError("per_second must be > 0 and burst >= 1")
                self._buckets[method] = _Bucket(per_second, float(burst), per_channel)

    def fail_next(self, method: str, status: int = 500, times: int = 1, *, after_processing: bool = False) -> None:
        """The next ``times`` calls answer HTTP ``status``; ``after_processing=True``: the call takes
        effect first (a message is posted) and only the answer fails, as when Slack times out late."""
        with self._lock:
            queue = self._fail_after if after_processing else self._fail_next
            queue.setdefault(method, []).extend([status] * times)

    def fail_for(self, method: str, seconds: float, status: int = 503) -> None:
        with self._lock:
            self._fail_until[method] = (time.monotonic() + seconds, status)

    def set_error(self, method: str, error: str, *, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer ``{"ok": false, "error": error}``."""
        with self._lock:
            self._errors.setdefault(method, []).extend([error] * times)

    def clear_faults(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._fail_next.clear()
            self._fail_after.clear()
            self._fail_until.clear()
            self._errors.clear()
            self.latency_s = 0.0

    # ------------------------------------------------------------------ recording

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [call for call in self._calls if method is None or call.method == method]

    def last(self, method: str) -> Call:
        with self._lock:
            for call in reversed(self._calls):
                if call.method == method:
                    return call
        raise LookupError(f"no {method} call recorded")

    def count(self, method: str) -> int:
        with self._lock:
            return self._counts[method]

    @property
    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Current messages (updates applied, deletions removed), oldest first, each with ``channel``."""
        with self._lock:
            channels = [self._channels[channel]] if channel in self._channels else []
            if channel is None:
                channels = list(self._channels.values())
            found = [dict(message) for ch in channels for message in ch.messages.values()]
        return sorted(found, key=lambda message: message["ts"])

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return [m for m in self.messages(channel) if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts]

    def ephemeral_messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._ephemerals if channel is None or m["channel"] == channel]

    @property
    def deleted_messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._deleted)

    @property
    def views_published(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return dict(self._published)

    @property
    def opened_views(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._opened)

    @property
    def pushed_views(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._pushed)

    @property
    def updated_views(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._updated)

    def view(self, view_id: str) -> dict[str, Any]:
        with self._lock:
            return self._views[view_id]

    @property
    def uploaded_files(self) -> list[UploadedFile]:
        with self._lock:
            return list(self._files)

    @property
    def reactions(self) -> list[Reaction]:
        with self._lock:
            return list(self._reactions)

    @property
    def response_url_posts(self) -> list[ResponseUrlPost]:
        with self._lock:
            return list(self._response_posts)

    def clear(self) -> None:
        """Forget recorded calls and Slack-side content; keep users, channels and faults."""
        with self._lock:
            for channel in self._channels.values():
                channel.messages.clear()
            self._views.clear()
            self._home_views.clear()
            self._reset_recordings()

    # ------------------------------------------------------------------ HTTP routing

    def _route(self, path: str, query: str, body: bytes, headers: dict[str, str]) -> _Reply:
        lowered = {name.lower(): value for name, value in headers.items()}
        try:
            if path.startswith("/api/"):
                return self._api_call(path[len("/api/") :], query, body, lowered)
            if path.startswith("/upload/"):
                return self._upload(path[len("/upload/") :], body, lowered.get("content-type", ""))
            if path.startswith("/response_url/"):
                return self._response_url_post(self.base_url + path, body)
            return _Reply.text(404, "not found")
        except Exception:
            message = traceback.format_exc()
            logger.error("fake Slack failed on %s:\n%s", path, message)
            with self._lock:
                self.internal_errors.append(message)
            return _Reply.json(500, {"ok": False, "error": "fake_internal_error", "detail": message[-2000:]})

    def _api_call(self, method: str, query: str, body: bytes, headers: dict[str, str]) -> _Reply:
        started = time.time()
        params: dict[str, Any] = {}
        token: object = None
        reply: _Reply | None = None
        try:
            params = _parse_params(query, body, headers.get("content-type", ""))
            token = params.pop("token", None)
            # Rate limits and outages judge a call as it arrives (this thread's later scheduling is the
            # fake's own noise, not the client's); the answer then takes the simulated latency.
            reply = self._fault(method, params)
        except SlackError as error:
            reply = _Reply.json(200, {"ok": False, "error": error.error, **error.extra})
        latency = self.latency_s
        if latency > 0:
            time.sleep(latency)
        if reply is None:
            try:
                self._check_auth(headers.get("authorization", ""), token)
                handler = self._methods.get(method)
                if handler is None:
                    raise SlackError("unknown_method", req_method=method)
                with self._lock:
                    queued = self._errors.get(method)
                    injected = queued.pop(0) if queued else None
                if injected:
                    raise SlackError(injected)
                reply = _Reply.json(200, {"ok": True, **handler(params)}, {"X-OAuth-Scopes": _SCOPES})
                with self._lock:
                    late = self._fail_after.get(method)
                    late_status = late.pop(0) if late else None
                if late_status is not None:
                    reply = self._server_error(late_status)
            except SlackError as error:
                reply = _Reply.json(200, {"ok": False, "error": error.error, **error.extra})
        with self._lock:
            self._counts[method] += 1
            if self.record_calls:
                self._calls.append(Call(method, params, started, reply.status, reply.error))
        return reply

    def _fault(self, method: str, params: dict[str, Any]) -> _Reply | None:
        now = time.monotonic()
        with self._lock:
            until = self._fail_until.get(method)
            if until is not None:
                if now < until[0]:
                    return self._server_error(until[1])
                del self._fail_until[method]
            queued = self._fail_next.get(method)
            if queued:
                return self._server_error(queued.pop(0))
            bucket = self._buckets.get(method)
            if bucket is not None:
                key = str(params.get("channel", "")) if bucket.per_channel else ""
                retry_after = bucket.take(key, now)
                if retry_after is not None:
                    return _Reply.json(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        return None

    @staticmethod
    def _server_error(status: int) -> _Reply:
        error = {500: "fatal_error", 503: "service_unavailable"}.get(status, "internal_error")
        return _Reply.json(status, {"ok": False, "error": error})

    def _check_auth(self, authorization: str, token: object) -> None:
        presented = token if isinstance(token, str) and token else None
        if authorization.lower().startswith("bearer "):
            presented = authorization[len("bearer ") :].strip() or presented
        if not presented:
            raise SlackError("not_authed")
        if presented != self.bot_token:
            raise SlackError("invalid_auth")

    # ------------------------------------------------------------------ helpers (call with the lock held)

    def _next_id(self) -> int:
        self._counter += 1
        return self._counter

    def _next_ts(self) -> str:
        self._ts_counter += 1
        micros = _TS_BASE_MICROS + self._ts_counter * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _store_message(self, channel: _Channel, message: dict[str, Any], thread_ts: str | None) -> None:
        message["channel"] = channel.id
        if thread_ts:
            message["thread_ts"] = thread_ts
            parent = channel.messages.get(thread_ts)
            if parent is not None:
                parent["thread_ts"] = thread_ts
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["latest_reply"] = message["ts"]
        channel.messages[message["ts"]] = message

    def _existing_channel(self, channel_id: object) -> _Channel:
        channel = self._channels.get(channel_id) if isinstance(channel_id, str) else None
        if channel is None:
            raise SlackError("channel_not_found")
        return channel

    def _postable_channel(self, channel_id: object) -> _Channel:
        """The channel a chat.* call posts into; a user id means the bot's DM with that user."""
        if isinstance(channel_id, str) and channel_id not in self._channels and channel_id in self._users:
            user = self._users[channel_id]
            # Posting to a user id opens the DM implicitly, so it follows conversations.open:
            # facts, "Deactivated and unknown users": user_disabled for a deactivated person.
            if user.deleted:
                raise SlackError("user_disabled")
            return self._open_dm(channel_id)[0]
        channel = self._existing_channel(channel_id)
        if channel.is_archived:
            raise SlackError("is_archived")
        return channel

    def _message(self, channel: _Channel, ts: object) -> dict[str, Any]:
        message = channel.messages.get(ts) if isinstance(ts, str) else None
        if message is None:
            raise SlackError("message_not_found")
        return message

    @staticmethod
    def _blocks(params: dict[str, Any]) -> list[Any] | None:
        """Parsed and validated message blocks, or None when the call has none."""
        blocks = params.get("blocks")
        if blocks is None or blocks == "" or blocks == []:
            return None
        if not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        # facts, "Block Kit limits (Slack rejects with invalid_blocks)".
        errors = block_rules.message_blocks_errors(blocks)
        if errors:
            raise SlackError(
                "invalid_blocks",
                errors=errors,
                response_metadata={"messages": [f"[ERROR] {error}" for error in errors]},
            )
        return blocks

    def _content(self, params: dict[str, Any], *, required: bool = True) -> tuple[str | None, list[Any] | None]:
        text = params.get("text")
        text = text if isinstance(text, str) and text != "" else None
        blocks = self._blocks(params)
        if required and text is None and blocks is None and not params.get("attachments"):
            raise SlackError("no_text")
        if text is not None and len(text) > MESSAGE_TEXT_MAX:
            raise SlackError("msg_too_long")
        return text, blocks

    def _bot_message(
        self, ts: str, text: str | None, blocks: list[Any] | None, params: dict[str, Any]
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
            "text": text or "",
        }
        if blocks is not None:
            message["blocks"] = blocks
        for key in ("attachments", "metadata"):
            if params.get(key):
                message[key] = params[key]
        return message

    # ------------------------------------------------------------------ auth, team, users

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": "growthbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _team_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "team": {
                "id": self.team_id,
                "name": self.team_name,
                "domain": self.team_domain,
                "email_domain": "example.com",
                "icon": {"image_default": True},
            }
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            user = self._users.get(params.get("user", ""))
            if user is None:
                raise SlackError("user_not_found")
            # facts, "Deactivated and unknown users": users.info still returns them with deleted: true.
            return {"user": user.to_slack(self.team_id)}

    def _users_lookup_by_email(self, params: dict[str, Any]) -> dict[str, Any]:
        email = str(params.get("email", "")).strip().lower()
        with self._lock:
            for user in self._users.values():
                # facts: users_not_found for an unknown address; Slack's users.lookupByEmail reference
                # (quoted in terraform-provider-slack#251) answers the same for a deactivated user.
                if user.email and user.email.lower() == email and not user.deleted:
                    return {"user": user.to_slack(self.team_id)}
        raise SlackError("users_not_found")

    def _users_profile_get(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            user = self._users.get(params.get("user") or self.bot_user_id)
            if user is None:
                raise SlackError("user_not_found")
            return {"profile": user.profile(self.team_id)}

    # ------------------------------------------------------------------ conversations

    def _conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = params.get("users")
        ids = users if isinstance(users, list) else [u.strip() for u in str(users or "").split(",") if u.strip()]
        if not ids:
            if params.get("channel"):
                with self._lock:
                    channel = self._existing_channel(params["channel"])
                    return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
            raise SlackError("users_list_not_supplied")
        if len(ids) > 1:
            raise SlackError("not_supported", detail="the fake models one-to-one DMs only")
        with self._lock:
            user = self._users.get(ids[0])
            if user is None:
                raise SlackError("user_not_found")
            # facts, "Deactivated and unknown users": conversations.open fails with user_disabled.
            if user.deleted:
                raise SlackError("user_disabled")
            channel, already_open = self._open_dm(user.id)
            body = channel.to_slack(self._users) if _flag(params.get("return_im")) else {"id": channel.id}
            return {"no_op": already_open, "already_open": already_open, "channel": body}

    def _conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return {"channel": self._existing_channel(params.get("channel")).to_slack(self._users)}

    def _conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages, newest first, paged by ``limit`` and ``cursor``; ``oldest``/``latest`` bound
        them (exclusive unless ``inclusive``). Message metadata only with ``include_all_metadata``, as
        Slack does (docs.slack.dev/reference/methods/conversations.history)."""
        limit = _int_param(params.get("limit"), default=100)
        if limit < 1:
            raise SlackError("invalid_limit")
        limit = min(limit, 999)
        oldest = _ts_param(params.get("oldest"), "invalid_ts_oldest")
        latest = _ts_param(params.get("latest"), "invalid_ts_latest")
        inclusive = _flag(params.get("inclusive"))
        with self._lock:
            channel = self._existing_channel(params.get("channel"))
            if not channel.is_im:
                # The app asks for im:history only (manifest.yaml); history of a channel needs channels:history.
                raise SlackError("missing_scope", needed="channels:history", provided=_SCOPES)
            top_level = [
                dict(message)
                for message in channel.messages.values()
                if not message.get("thread_ts") or message["thread_ts"] == message["ts"]
            ]
        top_level.sort(key=lambda message: float(message["ts"]), reverse=True)
        cursor = str(params.get("cursor") or "")
        if cursor:
            try:
                before = float(base64.b64decode(cursor).decode().removeprefix("before:"))
            except ValueError:
                raise SlackError("invalid_cursor") from None
            top_level = [m for m in top_level if float(m["ts"]) < before]

        def in_range(message: dict[str, Any]) -> bool:
            ts = float(message["ts"])
            if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
                return False
            return latest is None or ts < latest or (ts == latest and inclusive)

        found = [m for m in top_level if in_range(m)]
        page, more = found[:limit], len(found) > limit
        for message in page:
            message.pop("channel", None)
            if not _flag(params.get("include_all_metadata")):
                message.pop("metadata", None)
        next_cursor = base64.b64encode(f"before:{page[-1]['ts']}".encode()).decode() if more else ""
        return {"messages": page, "has_more": more, "response_metadata": {"next_cursor": next_cursor}}

    # ------------------------------------------------------------------ chat

    def _chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text, blocks = self._content(params)
        thread_ts = params.get("thread_ts") or None
        with self._lock:
            # python-slack-sdk #1156: posting into an existing DM of a deactivated user still succeeds;
            # only opening one fails. The bot must check `deleted` itself.
            channel = self._postable_channel(params.get("channel"))
            ts = self._next_ts()
            message = self._bot_message(ts, text, blocks, params)
            self._store_message(channel, message, thread_ts)
            return {"channel": channel.id, "ts": ts, "message": dict(message)}

    def _chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        text, blocks = self._content(params)
        with self._lock:
            channel = self._postable_channel(params.get("channel"))
            user_id = params.get("user")
            if user_id not in self._users:
                raise SlackError("user_not_found")
            if channel.members and user_id not in channel.members:
                raise SlackError("user_not_in_channel")
            ts = self._next_ts()
            message = self._bot_message(ts, text, blocks, params)
            message.update(channel=channel.id, target_user=user_id)
            if params.get("thread_ts"):
                message["thread_ts"] = params["thread_ts"]
            self._ephemerals.append(message)
            return {"message_ts": ts}

    def _chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        text, blocks = self._content(params)
        with self._lock:
            channel = self._existing_channel(params.get("channel"))
            message = self._message(channel, params.get("ts"))
            if message.get("bot_id") != self.bot_id:
                raise SlackError("cant_update_message")
            if text is not None:
                message["text"] = text
            if blocks is not None:
                message["blocks"] = blocks
            for key in ("attachments", "metadata"):
                if key in params:
                    message[key] = params[key]
            message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
            return {"channel": channel.id, "ts": message["ts"], "text": message["text"], "message": dict(message)}

    def _chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            channel = self._existing_channel(params.get("channel"))
            message = self._message(channel, params.get("ts"))
            if message.get("bot_id") != self.bot_id:
                raise SlackError("cant_delete_message")
            del channel.messages[message["ts"]]
            self._deleted.append(message)
            return {"channel": channel.id, "ts": message["ts"]}

    def _chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            channel = self._existing_channel(params.get("channel"))
            message = self._message(channel, params.get("message_ts"))
            link = f"https://{self.team_domain}.slack.com/archives/{channel.id}/p{message['ts'].replace('.', '')}"
            if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
                link += f"?thread_ts={message['thread_ts']}&cid={channel.id}"
            return {"channel": channel.id, "permalink": link}

    def _reactions_add(self, params: dict[str, Any]) -> dict[str, Any]:
        name = str(params.get("name", "")).strip(":")
        if not name:
            raise SlackError("invalid_name")
        with self._lock:
            channel = self._existing_channel(params.get("channel"))
            message = self._message(channel, params.get("timestamp"))
            reactions = message.setdefault("reactions", [])
            entry = next((r for r in reactions if r["name"] == name), None)
            if entry is None:
                entry = {"name": name, "users": [], "count": 0}
                reactions.append(entry)
            if self.bot_user_id in entry["users"]:
                raise SlackError("already_reacted")
            entry["users"].append(self.bot_user_id)
            entry["count"] += 1
            self._reactions.append(Reaction(channel.id, message["ts"], name, self.bot_user_id))
            return {}

    # ------------------------------------------------------------------ views

    @staticmethod
    def _checked_view(params: dict[str, Any], allowed_types: tuple[str, ...]) -> dict[str, Any]:
        view = params.get("view")
        if isinstance(view, dict) and block_rules.view_size(view) > block_rules.VIEW_MAX_BYTES:
            # facts, "Block Kit limits": "a Home view over 250 kB fails (view_too_large)".
            raise SlackError("view_too_large")
        # facts, "Deactivated and unknown users": views.* report malformed views as invalid_arguments
        # with per-field messages, not invalid_blocks.
        errors = block_rules.view_errors(view, allowed_types=allowed_types)
        if errors:
            raise SlackError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {e}" for e in errors]})
        assert isinstance(view, dict)
        return view

    def _consume_trigger(self, trigger_id: object) -> _Trigger:
        # facts, "Time limits": a trigger_id is single use and expires after about 3 seconds (#886).
        trigger = self._triggers.get(trigger_id) if isinstance(trigger_id, str) else None
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used or time.monotonic() - trigger.issued_at > self.trigger_ttl_s:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    def _new_view(
        self, view: dict[str, Any], *, user_id: str | None, previous: str | None = None, view_id: str | None = None
    ) -> dict[str, Any]:
        view_id = view_id or f"V{self._next_id():09d}"
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "clear_on_close": _flag(view.get("clear_on_close")),
            "notify_on_close": _flag(view.get("notify_on_close")),
            "root_view_id": view_id,
            "previous_view_id": previous,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
            "user_id": user_id,
        }
        for key in ("title", "submit", "close"):
            if view.get(key) is not None:
                stored[key] = view[key]
        self._views[view_id] = stored
        return stored

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._checked_view(params, ("modal",))
        with self._lock:
            trigger = self._consume_trigger(params.get("trigger_id"))
            stored = self._new_view(view, user_id=trigger.user_id)
            self._opened.append(stored)
            return {"view": dict(stored)}

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._checked_view(params, ("modal",))
        with self._lock:
            trigger = self._consume_trigger(params.get("trigger_id"))
            stored = self._new_view(view, user_id=trigger.user_id)
            self._pushed.append(stored)
            return {"view": dict(stored)}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._checked_view(params, ("modal", "home"))
        with self._lock:
            view_id = params.get("view_id")
            if not view_id and params.get("external_id"):
                view_id = next(
                    (v["id"] for v in self._views.values() if v.get("external_id") == params["external_id"]), None
                )
            current = self._views.get(view_id) if isinstance(view_id, str) else None
            if current is None:
                raise SlackError("not_found")
            if params.get("hash") and params["hash"] != current["hash"]:
                raise SlackError("hash_conflict")
            stored = self._new_view(
                view, user_id=current.get("user_id"), previous=current.get("previous_view_id"), view_id=current["id"]
            )
            stored["root_view_id"] = current["root_view_id"]
            self._updated.append(stored)
            if current["type"] == "home" and current.get("user_id") in self._published:
                self._published[current["user_id"]] = stored
            return {"view": dict(stored)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._checked_view(params, ("home",))
        with self._lock:
            user_id = params.get("user_id")
            if user_id not in self._users:
                raise SlackError("user_not_found")
            current_id = self._home_views.get(user_id)
            if current_id and params.get("hash") and params["hash"] != self._views[current_id]["hash"]:
                raise SlackError("hash_conflict")
            stored = self._new_view(view, user_id=user_id, view_id=current_id)
            self._home_views[user_id] = stored["id"]
            self._published[user_id] = stored
            return {"view": dict(stored)}

    # ------------------------------------------------------------------ files

    def _files_get_upload_url_external(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = params.get("filename")
        try:
            length = int(params.get("length", ""))
        except ValueError:
            raise SlackError("invalid_arguments") from None
        if not filename or length < 1:
            raise SlackError("invalid_arguments")
        with self._lock:
            file_id = f"F{self._next_id():09d}"
            self._uploads[file_id] = _Upload(file_id, str(filename), length)
            return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _upload(self, file_id: str, body: bytes, content_type: str) -> _Reply:
        if content_type.lower().startswith("multipart/form-data"):
            parts = _parse_multipart(body, content_type)
            body = next((v for v in parts.values() if isinstance(v, bytes)), body)
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return _Reply.text(404, "file_not_found")
            upload.content = body
        return _Reply.text(200, f"OK - {len(body)}")

    def _files_complete_upload_external(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        if not isinstance(files, list) or not files:
            raise SlackError("invalid_arguments")
        with self._lock:
            channel_ids = [c for c in str(params.get("channels") or "").split(",") if c]
            if params.get("channel_id"):
                channel_ids.insert(0, params["channel_id"])
            channels = [self._postable_channel(c) for c in channel_ids]
            uploads = []
            for entry in files:
                upload = self._uploads.get(entry.get("id")) if isinstance(entry, dict) else None
                if upload is None or upload.content is None:
                    raise SlackError("file_not_found")
                uploads.append((upload, entry.get("title") or upload.filename))
            answer = []
            for upload, title in uploads:
                answer.append(
                    {"id": upload.id, "name": upload.filename, "title": title, "size": len(upload.content or b"")}
                )
                for channel in channels or [None]:
                    self._files.append(
                        UploadedFile(
                            upload.id,
                            upload.filename,
                            title,
                            upload.content or b"",
                            channel.id if channel else None,
                            params.get("initial_comment"),
                            params.get("thread_ts"),
                        )
                    )
            for channel in channels:
                message = self._bot_message(self._next_ts(), params.get("initial_comment"), None, {})
                message["files"] = answer
                self._store_message(channel, message, params.get("thread_ts"))
            return {"files": answer}

    # ------------------------------------------------------------------ response_url

    def _response_url_post(self, url: str, body: bytes) -> _Reply:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = {"_raw": body.decode("utf-8", "replace")}
        if not isinstance(payload, dict):
            payload = {"_raw": payload}
        reply = self._apply_response_url(url, payload)
        with self._lock:
            self._response_posts.append(ResponseUrlPost(url, payload, time.time(), reply.status))
        return reply

    def _apply_response_url(self, url: str, payload: dict[str, Any]) -> _Reply:
        with self._lock:
            binding = self._response_urls.get(url)
            if binding is None:
                return _Reply.text(404, "invalid_token")
            # facts, "Time limits": a few uses within 30 minutes (unverified number; 5 here).
            if time.monotonic() - binding.issued_at > RESPONSE_URL_TTL_S:
                return _Reply.text(404, "expired_url")
            if binding.uses >= RESPONSE_URL_MAX_USES:
                return _Reply.text(404, "used_url")
            binding.uses += 1
        if _flag(payload.get("delete_original")):
            with self._lock:
                channel = self._channels.get(binding.channel_id or "")
                if channel and binding.message_ts in channel.messages:
                    self._deleted.append(channel.messages.pop(binding.message_ts))
            return _Reply.text(200, "ok")
        try:
            text, blocks = self._content(payload)
        except SlackError as error:
            return _Reply.text(400, error.error)
        with self._lock:
            channel = self._channels.get(binding.channel_id or "")
            if channel is None and binding.user_id and binding.channel_id == self.dm_channel_for(binding.user_id):
                channel = self._open_dm(binding.user_id)[0]
            if _flag(payload.get("replace_original")) and channel and binding.message_ts in channel.messages:
                message = channel.messages[binding.message_ts]
                message["text"] = text or ""
                if blocks is not None:
                    message["blocks"] = blocks
                else:
                    message.pop("blocks", None)
            elif payload.get("response_type") == "in_channel" and channel is not None:
                message = self._bot_message(self._next_ts(), text, blocks, payload)
                self._store_message(channel, message, payload.get("thread_ts"))
            else:
                message = self._bot_message(self._next_ts(), text, blocks, payload)
                message.update(channel=binding.channel_id, target_user=binding.user_id, via="response_url")
                self._ephemerals.append(message)
        return _Reply.text(200, "ok")
