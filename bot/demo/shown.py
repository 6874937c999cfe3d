"""One thing a person saw (`Shown`), read back from what the fake Slack received.

Everything comes from the fake Slack's recorded Web API calls and response_url posts (or, for a slash
command or submission answered in its acknowledgement, from that HTTP answer), so what is shown is
exactly what the real app sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.demo import render
from bot.demo.team import Team
from bot.testing.fake_slack import FakeSlack

# Web API calls that only read or prepare, never shown to anyone.
_SILENT = frozenset(
    {
        "auth.test",
        "team.info",
        "users.info",
        "users.list",
        "users.lookupByEmail",
        "users.profile.get",
        "conversations.open",
        "conversations.info",
        "chat.getPermalink",
        "files.getUploadURLExternal",
    }
)
_VIEW_KEYS = ("type", "title", "submit", "close", "blocks")


@dataclass
class Shown:
    """One thing a person saw, as the transcript recorded it."""

    index: int
    kind: str  # message, thread-reply, update, ephemeral, modal, modal-update, home, reaction, file, error
    audience: str  # who sees it, in words
    user_ids: tuple[str, ...]  # the people who see it (empty for a whole channel)
    at: datetime  # simulated time, naive UTC
    title: str
    lines: list[str]
    payload: dict[str, Any] = field(default_factory=dict)  # Block Kit, ready for the Block Kit Builder
    method: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class SlackReader:
    """Turns what the fake Slack received since the last look into `Shown` items, rendered."""

    def __init__(
        self,
        fake: FakeSlack,
        team: Team,
        names: Mapping[str, str],
        options: render.RenderOptions,
        now: Callable[[], datetime],
    ) -> None:
        self.fake = fake
        self.team = team
        self.names = names
        self.options = options
        self.now = now
        ranked = sorted(team.members, key=lambda member: member.role != "manager")
        self._rank = {member.slack_id: index for index, member in enumerate(ranked)}
        self._call_cursor = 0
        self._post_cursor = 0
        self._opened_cursor = 0
        self._pushed_cursor = 0

    def name(self, user_id: str | None) -> str:
        if not user_id:
            return "someone"
        return self.names.get(user_id, user_id)

    def _channel_audience(self, channel: str | None) -> tuple[str, tuple[str, ...]]:
        channel = channel or ""
        if channel.startswith(("U", "W")) and channel in self.names:
            return f"DM to {self.name(channel)}", (channel,)
        for user_id in self.names:
            if channel == self.fake.dm_channel_for(user_id):
                return f"DM to {self.name(user_id)}", (user_id,)
        if channel == self.team.channel_id:
            return f"#{self.team.channel_name}", ()
        return f"channel {channel}", ()

    def read_new(self, actor: str | None = None) -> list[Shown]:
        """Everything the bot sent since the last call, in the order to show it; `actor` is who caused it
        (for modals and replies)."""
        calls = self.fake.calls()
        new_calls = calls[self._call_cursor :]
        self._call_cursor = len(calls)
        posts = self.fake.response_url_posts
        new_posts = posts[self._post_cursor :]
        self._post_cursor = len(posts)
        items: list[tuple[float, int, Any]] = [(call.at, 0, call) for call in new_calls]
        items += [(post.at, 1, post) for post in new_posts]
        items.sort(key=lambda item: (item[0], item[1]))
        found = [self._from_post(item, actor) if source else self._from_call(item, actor) for _, source, item in items]
        ready = [item for item in found if item is not None]
        if actor is None:
            # A tick sends to several people concurrently: order by recipient in team order (the manager
            # first, so a digest comes before its preview), never by thread timing.
            ready.sort(
                key=lambda item: min(
                    (self._rank.get(user, len(self._rank)) for user in item.user_ids), default=len(self._rank)
                )
            )
        return ready

    def answer(self, actor: str, payload: Mapping[str, Any] | None) -> Shown | None:
        """A slash command or submission answered in the HTTP acknowledgement itself."""
        if not payload:
            return None
        if payload.get("response_action") in ("update", "push") and payload.get("view"):
            view = payload["view"]
            return self._view_shown("modal-update", actor, view)
        if payload.get("response_action") == "errors":
            errors = payload.get("errors") or {}
            lines = [f"{field_id}: {message}" for field_id, message in errors.items()]
            return self._shown("modal-errors", f"modal errors for {self.name(actor)}", (actor,), lines)
        if payload.get("text") or payload.get("blocks"):
            lines = render.message(payload, self.options)
            title = f"only visible to {self.name(actor)}"
            return self._shown("ephemeral", title, (actor,), lines, payload=self._message_payload(payload))
        return None

    def _shown(
        self,
        kind: str,
        audience: str,
        user_ids: tuple[str, ...],
        lines: list[str],
        *,
        title: str = "",
        payload: dict[str, Any] | None = None,
        method: str = "",
        params: dict[str, Any] | None = None,
    ) -> Shown:
        return Shown(
            index=0,
            kind=kind,
            audience=audience,
            user_ids=user_ids,
            at=self.now(),
            title=title,
            lines=lines,
            payload=payload or {},
            method=method,
            params=dict(params or {}),
        )

    @staticmethod
    def _message_payload(params: Mapping[str, Any]) -> dict[str, Any]:
        if params.get("blocks"):
            return {"blocks": params["blocks"]}
        return {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": params.get("text") or " "}}]}

    def _view_shown(self, kind: str, user_id: str | None, view: Mapping[str, Any], **extra: Any) -> Shown:
        title = render.view_title(view, self.options)
        lines = render.view(view, self.options)
        who = self.name(user_id)
        audience = f"App Home of {who}" if view.get("type") == "home" else f"modal for {who}: “{title}”"
        payload = {key: view[key] for key in _VIEW_KEYS if view.get(key) is not None}
        ids = (user_id,) if user_id else ()
        return self._shown(kind, audience, ids, lines, title=title, payload=payload, **extra)

    def _from_call(self, call: Any, actor: str | None) -> Shown | None:
        method, params = call.method, call.params
        if method in _SILENT:
            return None
        if not call.ok:
            return self._shown(
                "error", "Slack refused a call", (), [f"{method}: {call.error or call.status}"], method=method
            )
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            audience, ids = self._channel_audience(params.get("channel"))
            kind = "message"
            if method == "chat.update":
                kind, audience = "update", audience + ", updated in place"
            elif method == "chat.postEphemeral":
                user = params.get("user")
                kind, ids = "ephemeral", (user,) if user else ()
                audience = f"only visible to {self.name(user)}, in {audience.replace('DM to ', 'DM of ')}"
            elif params.get("thread_ts"):
                kind, audience = "thread-reply", audience + " (in thread)"
            lines = render.message(params, self.options)
            payload = self._message_payload(params)
            return self._shown(kind, audience, ids, lines, payload=payload, method=method, params=params)
        if method in ("views.open", "views.push"):
            opened = self.fake.opened_views if method == "views.open" else self.fake.pushed_views
            cursor = "_opened_cursor" if method == "views.open" else "_pushed_cursor"
            position = getattr(self, cursor)
            setattr(self, cursor, position + 1)
            user = opened[position].get("user_id") if position < len(opened) else actor
            return self._view_shown("modal", user or actor, params.get("view") or {}, method=method, params=params)
        if method == "views.update":
            return self._view_shown("modal-update", actor, params.get("view") or {}, method=method, params=params)
        if method == "views.publish":
            return self._view_shown(
                "home", params.get("user_id"), params.get("view") or {}, method=method, params=params
            )
        if method == "reactions.add":
            audience, ids = self._channel_audience(params.get("channel"))
            line = (
                f"growthbot adds {render.emojize(':' + str(params.get('name')) + ':')} to {self.name(actor)}'s message"
            )
            return self._shown("reaction", audience, ids, [line], method=method, params=params)
        if method == "chat.delete":
            audience, ids = self._channel_audience(params.get("channel"))
            return self._shown("delete", audience, ids, ["(message deleted)"], method=method, params=params)
        if method == "files.completeUploadExternal":
            audience, ids = self._channel_audience(params.get("channel_id"))
            files = params.get("files") or []
            titles = ", ".join(str(item.get("title") or item.get("id")) for item in files)
            lines = [f"📎 {titles}"]
            if params.get("initial_comment"):
                lines += render.wrap(render.mrkdwn(str(params["initial_comment"]), self.options), self.options.width)
            return self._shown("file", audience, ids, lines, method=method, params=params)
        return self._shown("other", method, (), [json.dumps(params)[:200]], method=method, params=params)

    def _from_post(self, post: Any, actor: str | None) -> Shown | None:
        body = post.body
        if body.get("delete_original"):
            return self._shown("delete", f"{self.name(actor)}'s view", (actor,) if actor else (), ["(deleted)"])
        lines = render.message(body, self.options)
        if not lines:
            return None
        who = (actor,) if actor else ()
        if body.get("replace_original"):
            kind, audience = "update", f"message updated in place, seen by {self.name(actor)}"
        elif body.get("response_type") == "in_channel":
            kind, audience = "message", "in the channel"
        else:
            kind, audience = "ephemeral", f"only visible to {self.name(actor)}"
        return self._shown(kind, audience, who, lines, payload=self._message_payload(body), params=body)
