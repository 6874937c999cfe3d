"""The fake workspace's state: who is in it, its channels and messages, views, and issued ids.

Every method handler reads and changes a ``Workspace``; all of it is guarded by ``Workspace.lock``
(helpers below that say so expect the caller to hold it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.testing.fake_slack.oauth import OAuthApp
from bot.testing.fake_slack.protocol import SlackError
from bot.testing.fake_slack.records import Recordings

BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
APP_ID = "A0GROWTH"
# facts, "Time limits": "A trigger_id is single use and expires after about 3 seconds" (bolt-python #886).
TRIGGER_TTL_S = 3.0

_TS_BASE_MICROS = 1_700_000_000 * 1_000_000


@dataclass
class User:
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
    display_name: str = ""  # optional in Slack; real_name is what every profile has

    def profile(self, team_id: str) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
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
class Channel:
    id: str
    name: str
    is_im: bool = False
    user: str | None = None
    members: list[str] = field(default_factory=list)
    is_archived: bool = False
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_slack(self, users: dict[str, User]) -> dict[str, Any]:
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
class Trigger:
    issued_at: float
    user_id: str | None
    used: bool = False


@dataclass
class ResponseUrl:
    url: str
    issued_at: float
    channel_id: str | None
    message_ts: str | None
    user_id: str | None
    uses: int = 0


@dataclass
class Upload:
    id: str
    filename: str
    length: int
    content: bytes | None = None


class Workspace:
    """One Slack workspace with one installed bot, as the method handlers see it."""

    bot_user_id = BOT_USER_ID
    bot_id = BOT_ID
    app_id = APP_ID

    def __init__(self, bot_token: str, team_id: str) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.team_name = "Growthbot Test"
        self.team_domain = "growthbot-test"
        self.trigger_ttl_s = TRIGGER_TTL_S
        self.server_url: str | None = None  # set while the transport serves
        self.lock = threading.RLock()
        # The OAuth install (FakeSlack.enable_oauth): then only tokens oauth.v2.access issued are valid.
        self.oauth: OAuthApp | None = None
        self.installed_tokens: set[str] = set()

        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.uploads: dict[str, Upload] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, str] = {}  # user id -> the id of their Home view
        self.recorded = Recordings()
        self._counter = 0
        self._ts_counter = 0
        self._last_ts_micros = _TS_BASE_MICROS
        # Seconds since the epoch for new message ts (the demo's simulated clock); None: a fixed counter.
        self.ts_clock: Callable[[], float] | None = None
        self.users[BOT_USER_ID] = User(BOT_USER_ID, "growthbot", "Growthbot", None, "UTC", is_bot=True)

    @property
    def base_url(self) -> str:
        if self.server_url is None:
            raise RuntimeError("FakeSlack is not started; call start() or use it as a context manager")
        return self.server_url

    def clear(self) -> None:
        """Forget recorded calls and Slack-side content; keep users, channels and faults."""
        with self.lock:
            for channel in self.channels.values():
                channel.messages.clear()
            self.views.clear()
            self.home_views.clear()
            self.recorded = Recordings()

    def user(self, user_id: str) -> User:
        """A user the test added (a KeyError that says so otherwise), for the test-facing API."""
        try:
            return self.users[user_id]
        except KeyError:
            raise KeyError(f"no user {user_id!r} in the fake directory; call add_user first") from None

    # ------------------------------------------------------------------ helpers (call with the lock held)

    def next_id(self) -> int:
        self._counter += 1
        return self._counter

    def next_ts(self) -> str:
        self._ts_counter += 1
        if self.ts_clock is None:
            micros = _TS_BASE_MICROS + self._ts_counter * 100
        else:  # as Slack does: the ts is when the message was posted, unique and increasing
            micros = max(int(self.ts_clock() * 1_000_000), self._last_ts_micros + 100)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    @staticmethod
    def dm_channel_for(user_id: str) -> str:
        return "D" + user_id

    def open_dm(self, user_id: str) -> tuple[Channel, bool]:
        """The bot's DM with this user, opened now if need be; True when it was already open."""
        channel_id = self.dm_channel_for(user_id)
        existing = self.channels.get(channel_id)
        if existing is not None:
            return existing, True
        channel = Channel(channel_id, channel_id, is_im=True, user=user_id, members=[user_id, self.bot_user_id])
        self.channels[channel_id] = channel
        return channel, False

    def store_message(self, channel: Channel, message: dict[str, Any], thread_ts: str | None) -> None:
        message["channel"] = channel.id
        if thread_ts:
            message["thread_ts"] = thread_ts
            parent = channel.messages.get(thread_ts)
            if parent is not None:
                parent["thread_ts"] = thread_ts
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["latest_reply"] = message["ts"]
        channel.messages[message["ts"]] = message

    def existing_channel(self, channel_id: object) -> Channel:
        channel = self.channels.get(channel_id) if isinstance(channel_id, str) else None
        if channel is None:
            raise SlackError("channel_not_found")
        return channel

    def postable_channel(self, channel_id: object) -> Channel:
        """The channel a chat.* call posts into; a user id means the bot's DM with that user."""
        if isinstance(channel_id, str) and channel_id not in self.channels and channel_id in self.users:
            user = self.users[channel_id]
            # Posting to a user id opens the DM implicitly, so it follows conversations.open:
            # facts, "Deactivated and unknown users": user_disabled for a deactivated person.
            if user.deleted:
                raise SlackError("user_disabled")
            return self.open_dm(channel_id)[0]
        channel = self.existing_channel(channel_id)
        if channel.is_archived:
            raise SlackError("is_archived")
        return channel

    @staticmethod
    def message(channel: Channel, ts: object) -> dict[str, Any]:
        message = channel.messages.get(ts) if isinstance(ts, str) else None
        if message is None:
            raise SlackError("message_not_found")
        return message

    def bot_message(
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


# A Web API method as the fake implements it: the call's parameters in, the answer's fields (beside
# ``ok``) out; a SlackError for an error answer.
Handler = Callable[[Workspace, dict[str, Any]], dict[str, Any]]
