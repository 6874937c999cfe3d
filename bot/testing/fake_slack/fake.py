"""``FakeSlack``: the test-facing face of the fake, composing its state, faults, methods and transport."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any, Self
from zoneinfo import ZoneInfo

from bot.testing.fake_slack.faults import Faults
from bot.testing.fake_slack.methods import METHODS
from bot.testing.fake_slack.oauth import OAuthApp
from bot.testing.fake_slack.records import Call, Reaction, ResponseUrlPost, UploadedFile
from bot.testing.fake_slack.state import APP_ID, BOT_ID, BOT_USER_ID, Channel, ResponseUrl, Trigger, User, Workspace
from bot.testing.fake_slack.transport import Transport


class FakeSlack:
    """A Slack workspace with one bot, served as a Web API on 127.0.0.1 (``add_team``: several).

    Directory: ``add_user``, ``set_status``, ``set_tz``, ``deactivate``, ``add_channel``, ``add_message``;
    ``send_events_to``: the directory changes become ``user_change`` / ``team_join`` events to the app.
    Interactivity: ``new_trigger_id``, ``new_response_url``.
    Faults: ``latency_s``, ``rate_limit``, ``use_rate_tiers`` (Slack's tiers), ``fail_next``, ``fail_for``,
    ``set_error``, ``clear_faults``.
    Recording: ``calls``, ``last``, ``count``, ``counts``, ``messages``, ``thread``, ``ephemeral_messages``,
    ``views_published``, ``opened_views``, ``pushed_views``, ``updated_views``, ``view``,
    ``uploaded_files``, ``reactions``, ``response_url_posts``, ``deleted_messages``, ``clear``.
    """

    bot_user_id = BOT_USER_ID
    bot_id = BOT_ID
    app_id = APP_ID

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        *,
        team_id: str = "T0001",
        latency_s: float = 0.0,
        record_calls: bool = True,
    ) -> None:
        self._world = Workspace(bot_token, team_id)
        self._faults = Faults(self._world.lock, latency_s)
        self._transport = Transport(self._world, self._faults, METHODS, record_calls=record_calls)
        self._event_sink: Callable[[dict[str, Any]], object] | None = None

    # ------------------------------------------------------------------ settings

    @property
    def bot_token(self) -> str:
        return self._world.bot_token

    @property
    def team_id(self) -> str:
        return self._world.team_id

    @property
    def team_name(self) -> str:
        return self._world.team_name

    @team_name.setter
    def team_name(self, name: str) -> None:
        self._world.team_name = name

    @property
    def team_domain(self) -> str:
        return self._world.team_domain

    @team_domain.setter
    def team_domain(self, domain: str) -> None:
        self._world.team_domain = domain

    @property
    def trigger_ttl_s(self) -> float:
        return self._world.trigger_ttl_s

    @trigger_ttl_s.setter
    def trigger_ttl_s(self, seconds: float) -> None:
        self._world.trigger_ttl_s = seconds

    @property
    def latency_s(self) -> float:
        """Simulated latency added to every Web API answer."""
        return self._faults.latency_s

    @latency_s.setter
    def latency_s(self, seconds: float) -> None:
        self._faults.latency_s = seconds

    @property
    def record_calls(self) -> bool:
        """False keeps only per-method counts (benchmarks), not each ``Call``."""
        return self._transport.record_calls

    @record_calls.setter
    def record_calls(self, record: bool) -> None:
        self._transport.record_calls = record

    # ------------------------------------------------------------------ OAuth install

    def enable_oauth(
        self, client_id: str, client_secret: str, *, token_rotation: bool = False, enterprise_id: str | None = None
    ) -> None:
        """Serve oauth.v2.access; from now on only tokens it issued are valid (``bot_token`` no longer is).
        ``enterprise_id``: installs are org-wide on that Enterprise Grid organisation."""
        with self._world.lock:
            self._world.oauth = OAuthApp(client_id, client_secret, rotation=token_rotation, enterprise_id=enterprise_id)
            self._world.installed_tokens.clear()

    def approve_install(self) -> str:
        """The installer pressing "Allow" on Slack's authorize page: the one-time code Slack redirects with."""
        with self._world.lock:
            if self._world.oauth is None:
                raise RuntimeError("call enable_oauth first")
            return self._world.oauth.new_code()

    def revoke_tokens(self) -> None:
        """The app uninstalled (or its tokens revoked): every token issued so far stops working."""
        with self._world.lock:
            self._world.installed_tokens.clear()

    def expire_tokens(self) -> None:
        """Rotating tokens past their twelve hours: calls get ``token_expired`` until refreshed."""
        with self._world.lock:
            if self._world.oauth is not None:
                for token in self._world.oauth.token_expiry:
                    self._world.oauth.token_expiry[token] = 0.0

    def add_team(self, team_id: str, *, name: str | None = None, enterprise_id: str | None = None) -> FakeSlack:
        """Another workspace served by this fake's server, as Slack's one Web API serves every workspace:
        its own directory, channels, faults (rate limits per team) and recordings. A call is answered by
        the workspace its token belongs to, so team A's token never sees team B's users or channels.
        With OAuth enabled here, the new workspace can install the same app (``approve_install`` on it;
        ``enterprise_id``: the install is org-wide on that Grid organisation). Start and stop this fake,
        not the one returned."""
        team = FakeSlack(f"xoxb-test-{team_id.lower()}", team_id=team_id, record_calls=self.record_calls)
        if name is not None:
            team.team_name = name
        oauth = self._world.oauth
        if oauth is not None:
            team.enable_oauth(
                oauth.client_id, oauth.client_secret, token_rotation=oauth.rotation, enterprise_id=enterprise_id
            )
        self._transport.add_team(team._transport)
        return team

    @property
    def installed_tokens(self) -> frozenset[str]:
        with self._world.lock:
            return frozenset(self._world.installed_tokens)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        self._transport.start()
        return self

    def stop(self) -> None:
        self._transport.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self._world.base_url

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
        display_name: str = "",
        email: str | None = None,
        tz: str = "Europe/Paris",
        deleted: bool = False,
        is_bot: bool = False,
        status_text: str = "",
        status_emoji: str = "",
    ) -> dict[str, Any]:
        """`name` is the handle (user.name); the real name defaults to it. The display name is empty
        unless given, as for most Slack users: it is optional in a Slack profile."""
        ZoneInfo(tz)  # fail fast on a typo
        user = User(
            user_id,
            name,
            real_name or name,
            email,
            tz,
            deleted,
            is_bot,
            status_text,
            status_emoji,
            display_name=display_name,
        )
        with self._world.lock:
            joined = user_id not in self._world.users
            self._world.users[user_id] = user
            answer = user.to_slack(self.team_id)
        if joined:
            self._emit("team_join", user_id)
        return answer

    def set_status(self, user_id: str, status_text: str, status_emoji: str = "", *, expiration: int = 0) -> None:
        """Like a person setting their status; ``expiration`` (epoch seconds, 0 = never) is when Slack
        clears it. The fake returns it as is in users.info, as Slack does until it is cleared."""
        with self._world.lock:
            user = self._world.user(user_id)
            user.status_text, user.status_emoji, user.status_expiration = status_text, status_emoji, expiration
        self._emit("user_change", user_id)

    def set_tz(self, user_id: str, tz: str) -> None:
        ZoneInfo(tz)
        with self._world.lock:
            self._world.user(user_id).tz = tz
        self._emit("user_change", user_id)

    def deactivate(self, user_id: str) -> None:
        with self._world.lock:
            self._world.user(user_id).deleted = True
        self._emit("user_change", user_id)

    def send_events_to(self, deliver: Callable[[dict[str, Any]], object] | None) -> None:
        """From now on, each directory change above is also an Events API event handed to ``deliver``
        (e.g. ``SlackRequests.event``, which signs it and posts it to the app), as Slack sends them:
        facts, "Keeping profiles fresh": ``user_change`` carries the whole user; ``team_join`` announces
        a new member. None stops it (the app missed the events: only the users.list sweep catches up)."""
        self._event_sink = deliver

    def _emit(self, event_type: str, user_id: str) -> None:
        sink = self._event_sink
        if sink is None:
            return
        with self._world.lock:
            user = self._world.user(user_id).to_slack(self.team_id)
        sink({"type": event_type, "user": user, "cache_ts": int(time.time()), "event_ts": f"{time.time():.6f}"})

    def add_channel(
        self, channel_id: str, name: str, members: list[str] | tuple[str, ...] = (), *, is_archived: bool = False
    ) -> None:
        with self._world.lock:
            self._world.channels[channel_id] = Channel(channel_id, name, members=list(members), is_archived=is_archived)

    def use_clock(self, seconds: Callable[[], float]) -> None:
        """New message ts follow this clock (seconds since the epoch), as Slack's follow real time."""
        with self._world.lock:
            self._world.ts_clock = seconds

    def dm_channel_for(self, user_id: str) -> str:
        """The id ``conversations.open`` gives (or gave) the bot's DM with this user."""
        return self._world.dm_channel_for(user_id)

    def add_message(
        self, channel: str, user: str, text: str, *, thread_ts: str | None = None, ts: str | None = None
    ) -> str:
        """Store a message a person wrote (for events and shortcuts); returns its ts.

        A DM channel named by ``dm_channel_for(user)`` is created on the fly.
        """
        world = self._world
        with world.lock:
            target = world.channels.get(channel)
            if target is None and channel == world.dm_channel_for(user) and user in world.users:
                target, _ = world.open_dm(user)
            if target is None:
                raise KeyError(f"no channel {channel!r} in the fake; call add_channel first")
            ts = ts or world.next_ts()
            message: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts, "team": self.team_id}
            world.store_message(target, message, thread_ts)
            return ts

    # ------------------------------------------------------------------ interactivity

    def new_trigger_id(self, user_id: str | None = None) -> str:
        """A trigger_id as Slack puts in interaction payloads: single use, valid ``trigger_ttl_s``."""
        with self._world.lock:
            trigger_id = f"{self._world.next_id()}.{self.team_id[1:] or '1'}.{secrets.token_hex(16)}"
            self._world.triggers[trigger_id] = Trigger(time.monotonic(), user_id)
            return trigger_id

    def expire_trigger_ids(self) -> None:
        """Age every issued trigger_id past its lifetime (to test expiry without sleeping)."""
        with self._world.lock:
            for trigger in self._world.triggers.values():
                trigger.issued_at -= self.trigger_ttl_s + 1

    def new_response_url(
        self, *, channel_id: str | None = None, message_ts: str | None = None, user_id: str | None = None
    ) -> str:
        """A response_url on this fake; posts are recorded in ``response_url_posts``.

        Bound to a message (``channel_id`` + ``message_ts``), ``replace_original`` / ``delete_original``
        change that message as Slack would.
        """
        with self._world.lock:
            url = f"{self.base_url}/response_url/{self._world.next_id()}/{secrets.token_hex(12)}"
            self._world.response_urls[url] = ResponseUrl(url, time.monotonic(), channel_id, message_ts, user_id)
            return url

    # ------------------------------------------------------------------ faults

    def rate_limit(self, method: str, per_second: float | None, burst: int = 1, *, per_channel: bool = False) -> None:
        """Token bucket per method (or per method and channel); ``per_second=None`` removes it.

        facts, "Rate limits": over the limit Slack answers HTTP 429 with ``Retry-After`` in seconds.
        """
        self._faults.rate_limit(method, per_second, burst, per_channel=per_channel)

    def use_rate_tiers(self, post_per_second: float | None = None, *, post_per_channel_per_second: float = 1.0) -> None:
        """Slack's published tiers at their floors for every method the bot calls (Tier 2 20/min, Tier 3
        50/min, Tier 4 100/min; faults.METHOD_TIERS), and chat.postMessage at one a second per channel
        plus a workspace-wide cap of `post_per_second` (Slack's is unpublished). Replaces earlier limits."""
        self._faults.rate_tiers(post_per_second, post_per_channel_per_second)

    def fail_next(self, method: str, status: int = 500, times: int = 1, *, after_processing: bool = False) -> None:
        """The next ``times`` calls answer HTTP ``status``; ``after_processing=True``: the call takes
        effect first (a message is posted) and only the answer fails, as when Slack times out late."""
        self._faults.fail_next(method, status, times, after_processing=after_processing)

    def fail_for(self, method: str, seconds: float, status: int = 503) -> None:
        self._faults.fail_for(method, seconds, status)

    def set_error(self, method: str, error: str, *, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer ``{"ok": false, "error": error}``."""
        self._faults.set_error(method, error, times=times)

    def clear_faults(self) -> None:
        """Disarm every fault and set the latency back to zero."""
        self._faults.clear()

    # ------------------------------------------------------------------ recording

    def calls(self, method: str | None = None) -> list[Call]:
        with self._world.lock:
            return [call for call in self._world.recorded.calls if method is None or call.method == method]

    def last(self, method: str) -> Call:
        with self._world.lock:
            for call in reversed(self._world.recorded.calls):
                if call.method == method:
                    return call
        raise LookupError(f"no {method} call recorded")

    def count(self, method: str) -> int:
        with self._world.lock:
            return self._world.recorded.counts[method]

    @property
    def counts(self) -> dict[str, int]:
        with self._world.lock:
            return dict(self._world.recorded.counts)

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Current messages (updates applied, deletions removed), oldest first, each with ``channel``."""
        world = self._world
        with world.lock:
            channels = [world.channels[channel]] if channel in world.channels else []
            if channel is None:
                channels = list(world.channels.values())
            found = [dict(message) for ch in channels for message in ch.messages.values()]
        return sorted(found, key=lambda message: message["ts"])

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return [m for m in self.messages(channel) if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts]

    def ephemeral_messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        with self._world.lock:
            return [dict(m) for m in self._world.recorded.ephemerals if channel is None or m["channel"] == channel]

    @property
    def deleted_messages(self) -> list[dict[str, Any]]:
        with self._world.lock:
            return list(self._world.recorded.deleted)

    @property
    def views_published(self) -> dict[str, dict[str, Any]]:
        with self._world.lock:
            return dict(self._world.recorded.published)

    @property
    def opened_views(self) -> list[dict[str, Any]]:
        with self._world.lock:
            return list(self._world.recorded.opened)

    @property
    def pushed_views(self) -> list[dict[str, Any]]:
        with self._world.lock:
            return list(self._world.recorded.pushed)

    @property
    def updated_views(self) -> list[dict[str, Any]]:
        with self._world.lock:
            return list(self._world.recorded.updated)

    def view(self, view_id: str) -> dict[str, Any]:
        with self._world.lock:
            return self._world.views[view_id]

    @property
    def uploaded_files(self) -> list[UploadedFile]:
        with self._world.lock:
            return list(self._world.recorded.files)

    @property
    def reactions(self) -> list[Reaction]:
        with self._world.lock:
            return list(self._world.recorded.reactions)

    @property
    def response_url_posts(self) -> list[ResponseUrlPost]:
        with self._world.lock:
            return list(self._world.recorded.response_posts)

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of the fake's own failures (each answered 500 fake_internal_error); the live list."""
        return self._world.recorded.internal_errors

    def clear(self) -> None:
        """Forget recorded calls and Slack-side content; keep users, channels and faults."""
        self._world.clear()
