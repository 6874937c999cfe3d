"""What the demo prints: every message, modal and Home view the bot produced, with who sees it and when.

Everything shown is read back from the fake Slack's recorded Web API calls and response_url posts (or,
for a slash command answered in its acknowledgement, from that HTTP answer), so the transcript shows
exactly what the real app sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.demo import render
from bot.demo.team import Team
from bot.testing.fake_slack import FakeSlack

# Web API calls that only read or prepare, never shown to anyone.
_SILENT = frozenset(
    {
        "auth.test",
        "team.info",
        "users.info",
        "users.lookupByEmail",
        "users.profile.get",
        "conversations.open",
        "conversations.info",
        "chat.getPermalink",
        "files.getUploadURLExternal",
    }
)
_VIEW_KEYS = ("type", "title", "submit", "close", "blocks")
# The default (brief) transcript shows each kind of message and modal in full once, at most this many
# lines of it; later ones of the same kind get one line. `--full` shows everything.
BRIEF_MAX_LINES = 8
_NAME_WORDS = re.compile(r"\b\d+\b")
# After this many one-liners of a kind the brief transcript stops listing it (prompts excepted: each
# story is told to a prompt, so every prompt is listed).
BRIEF_REPEATS = 2
_ALWAYS_LISTED = ("growth prompt",)


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


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "slack"


class Transcript:
    """Reads what the fake Slack received since the last look and prints it, rendered."""

    def __init__(
        self,
        fake: FakeSlack,
        team: Team,
        now: Callable[[], datetime],
        *,
        out: TextIO | None,
        json_dir: Path | None = None,
        width: int = render.DEFAULT_WIDTH,
        ansi: bool = False,
        full: bool = True,
        reader_tz: str = "UTC",
    ) -> None:
        self.fake = fake
        self.full = full
        self.reader = ZoneInfo(reader_tz)
        self._families: set[str] = set()
        self._repeats: dict[str, int] = {}
        self._sent_lines: dict[tuple[str, str], list[str]] = {}  # (channel, ts) -> lines shown
        self.team = team
        self.now = now
        self.out = out
        self.json_dir = json_dir
        self.names = {member.slack_id: member.name for member in team.members}
        self.names[fake.bot_user_id] = "growthbot"
        ranked = sorted(team.members, key=lambda member: member.role != "manager")
        self._rank = {member.slack_id: index for index, member in enumerate(ranked)}
        self.options = render.RenderOptions(
            width=width - 3, ansi=ansi, users=self.names, channels={team.channel_id: team.channel_name}
        )
        self.width = width
        self.shown: list[Shown] = []
        self._call_cursor = 0
        self._post_cursor = 0
        self._opened_cursor = 0
        self._pushed_cursor = 0
        self._last_heading: tuple[int, str] | None = None
        self._titles_shown: set[str] = set()
        self._week_start = min(
            datetime.combine(team.week_one.date(), datetime.min.time(), tzinfo=ZoneInfo(member.tz))
            .astimezone(ZoneInfo("UTC"))
            .replace(tzinfo=None)
            for member in team.members
        )
        self._expand: set[tuple[str, str]] = set()
        self._shrink: set[tuple[str, str]] = set()
        self._last_stamp = ""
        # Extra one-line stand-ins the script asks for (e.g. repeated digest previews): Shown -> line or None.
        self.compactors: list[Callable[[Shown], str | None]] = []
        if json_dir is not None:
            json_dir.mkdir(parents=True, exist_ok=True)
            # A previous run's numbered payloads would mix with this run's; anything else is left alone.
            for old in json_dir.glob("[0-9][0-9][0-9]-*.json"):
                old.unlink()

    # ------------------------------------------------------------------ printing

    def print(self, line: str = "") -> None:
        if self.out is not None:
            self.out.write(line + "\n")

    def week_of(self, moment: datetime) -> int:
        """1 for the team's first week (from the first Monday morning anywhere on the team); 0 before it."""
        return (moment - self._week_start) // timedelta(days=7) + 1

    def _heading(self) -> None:
        moment = self.now()
        week = self.week_of(moment)
        local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(self.reader)
        key = (week, local.strftime("%Y-%m-%d") if self.full else "")
        if key == self._last_heading:
            return
        self._last_heading = key
        label = f"Week {week}" if week >= 1 else "Before week 1"
        day = f"{local:%A} {local.day} {local:%B %Y}"
        title = f" {label} · {day if self.full else 'from ' + day}{self._reader_suffix()} "
        self.print()
        self.print("━━" + title + "━" * max(self.width - len(title) - 2, 0))

    def _reader_is_utc(self) -> bool:
        return self.reader.key.split("/")[-1] in ("UTC", "UCT", "Universal", "Zulu")

    def _reader_suffix(self) -> str:
        return " (UTC)" if self._reader_is_utc() else ""

    def _reader_label(self) -> str:
        return "UTC" if self._reader_is_utc() else "your time"

    def when(self, moment: datetime, user_id: str | None = None) -> str:
        """`Mon 17 Mar 10:00 in Kolkata (05:30 your time)`: the time of the person who sees it, and the
        reader's own (UTC unless a zone was given); only the reader's when nobody in particular sees it."""
        utc = moment.replace(tzinfo=ZoneInfo("UTC"))
        reader = utc.astimezone(self.reader)
        if user_id and user_id in self.names and user_id != self.fake.bot_user_id:
            tz = self.team.member(user_id).tz
            local = utc.astimezone(ZoneInfo(tz))
            place = tz.split("/")[-1].replace("_", " ")
            if local.utcoffset() == reader.utcoffset():
                return f"{local:%a} {local.day} {local:%b %H:%M} in {place}"
            theirs = f"{reader:%H:%M}" if local.date() == reader.date() else f"{reader:%a %H:%M}"
            return f"{local:%a} {local.day} {local:%b %H:%M} in {place} ({theirs} {self._reader_label()})"
        return f"{reader:%a} {reader.day} {reader:%b %H:%M} {self._reader_label()}"

    def narrate(self, text: str, user_id: str | None = None) -> None:
        """A line of the story: what a person does, at their local time."""
        self._heading()
        moment = self.now()
        stamp = self.when(moment, user_id)
        self._last_stamp = stamp
        if self.full:
            self.print()
        # Narration names commands as typed, without Slack's code marks.
        text = render.emojize(text.replace("`", ""))
        if not self.full:
            text = f"{text} · {stamp}"
        for index, line in enumerate(render.wrap(text, self.width - 2)):
            self.print(("▸ " if index == 0 else "  ") + line)
        if self.full:
            self.print(f"  {stamp}")

    def note(self, text: str) -> None:
        """A plain line with no time stamp (summaries, guarded steps)."""
        for line in render.wrap(render.emojize(text.replace("`", "")), self.width):
            self.print(line)

    # ------------------------------------------------------------------ reading what Slack got

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

    def collect(self, actor: str | None = None) -> list[Shown]:
        """Show everything the bot sent since the last call; `actor` is who caused it (for modals and replies)."""
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
        shown = [self._emit(item) for item in ready]
        if self.fake.internal_errors:
            for error in self.fake.internal_errors:
                self.note(f"⚠ fake Slack internal error: {error.splitlines()[-1]}")
            self.fake.internal_errors.clear()
        return shown

    def show_answer(self, actor: str, payload: Mapping[str, Any] | None) -> Shown | None:
        """A slash command or submission answered in the HTTP acknowledgement itself."""
        if not payload:
            return None
        if payload.get("response_action") in ("update", "push") and payload.get("view"):
            view = payload["view"]
            return self._emit(self._view_shown("modal-update", actor, view))
        if payload.get("response_action") == "errors":
            errors = payload.get("errors") or {}
            lines = [f"{field_id}: {message}" for field_id, message in errors.items()]
            return self._emit(self._shown("modal-errors", f"modal errors for {self.name(actor)}", (actor,), lines))
        if payload.get("text") or payload.get("blocks"):
            lines = render.message(payload, self.options)
            title = f"only visible to {self.name(actor)}"
            return self._emit(self._shown("ephemeral", title, (actor,), lines, payload=self._message_payload(payload)))
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

    # ------------------------------------------------------------------ output

    def expand_next(self, kind: str, user_id: str) -> None:
        """Show the next `kind` ("home" or "modal") for `user_id` in full, even if one like it was shown."""
        self._expand.add((kind, user_id))

    def compact_next(self, kind: str, user_id: str) -> None:
        """Show the next `kind` ("home" or "modal") for `user_id` as one line, even if it is new."""
        self._shrink.add((kind, user_id))

    def _compact(self, shown: Shown) -> str | None:
        """A one-line stand-in for a view the reader has already seen in full, or None to show it whole.

        Each modal is shown in full the first time; App Home tabs only when the script asks, since the
        bot republishes them after every change.
        """
        for compactor in self.compactors:
            line = compactor(shown)
            if line is not None:
                return line
        if shown.kind not in ("modal", "modal-update", "home"):
            return None
        user = shown.user_ids[0] if shown.user_ids else ""
        kind = "home" if shown.kind == "home" else "modal"
        verb = "updated" if shown.kind == "modal-update" else "opened"
        if (kind, user) in self._shrink:
            self._shrink.discard((kind, user))
            return f"{shown.audience} {verb}"
        if (kind, user) in self._expand:
            self._expand.discard((kind, user))
            self._titles_shown.add(shown.title)
            return None
        if kind == "home":
            return f"{shown.audience} refreshed"
        if shown.title not in self._titles_shown:
            self._titles_shown.add(shown.title)
            return None
        return f"{shown.audience} {verb} (as above)"

    def _one_line(self, text: str, stamp: str) -> None:
        """`  (what happened · when)`, the time left out right after the step that caused it."""
        if not self.full:  # a passing message: the time of whoever sees it is enough
            stamp = stamp.split(" (", 1)[0] if stamp != self._last_stamp else stamp
        line = f"({text})" if stamp == self._last_stamp else f"({text} · {stamp})"
        if not self.full and render.display_width(line) > self.width - 2:
            # The brief transcript gives a passing message one line: who, when, and its start.
            tail = f" · {stamp})" if not line.endswith(f"({text})") else ")"
            line = "(" + render.shorten_to(text, self.width - 3 - render.display_width(tail)) + tail
        for part in render.wrap(line, self.width - 2):
            self.print("  " + part)

    def _family(self, shown: Shown) -> str:
        """What kind of message this is, whoever it is for: its notification text up to the first colon,
        with names and numbers left out ("Before your 1:1 with", "Saved as evidence for")."""
        text = str(shown.params.get("text") or "") or (shown.lines[0] if shown.lines else "")
        head = text.split(": ", 1)[0]
        for name in self.names.values():
            head = head.replace(name, "").replace(name.split()[0], "")
        head = re.sub(r"<@[A-Z0-9]+>", "", head)
        head = re.sub(r"\byour\b", "", head, flags=re.IGNORECASE)
        return " ".join(_NAME_WORDS.sub("#", head).lower().split())

    def _summary(self, shown: Shown) -> str:
        text = render.mrkdwn(str(shown.params.get("text") or ""), self.options) or " ".join(shown.lines[:1])
        text = text.replace("Your growth prompt this week:", "🌱 prompt:")
        return " ".join(text.split())

    def _brief(self, shown: Shown) -> str | None:
        """In the brief transcript: "" to leave a line out, a one-line stand-in, or None to show it whole."""
        if shown.kind == "home":
            return ""  # an App Home refresh: shown only when the script asks for it
        if shown.kind == "update":
            before = self._sent_lines.get(self._message_key(shown), [])
            changed = [line.strip() for line in shown.lines if line not in before and line.strip()]
            what = " ".join(changed) if changed else "no visible change"
            family = "update:" + " ".join(_NAME_WORDS.sub("#", changed[-1] if changed else "").split()[:4])
            if family in self._families:
                return ""  # the same change as one already shown (an answered prompt, a closed one)
            self._families.add(family)
            return f"{shown.audience}: {what}"
        if shown.kind in ("message", "thread-reply", "ephemeral"):
            user = shown.user_ids[0] if shown.user_ids else ""
            if ("message", user) in self._expand:
                self._expand.discard(("message", user))
                self._families.add(self._family(shown))
                return None
            family = self._family(shown)
            if family in self._families:
                self._repeats[family] = self._repeats.get(family, 0) + 1
                if self._repeats[family] > BRIEF_REPEATS and not any(w in family for w in _ALWAYS_LISTED):
                    return ""
                return f"{shown.audience}: {self._summary(shown)}"
            self._families.add(family)
        return None

    @staticmethod
    def _message_key(shown: Shown) -> tuple[str, str]:
        return (str(shown.params.get("channel") or ""), str(shown.params.get("ts") or ""))

    def _remember(self, shown: Shown) -> None:
        """The lines of each message, so a later chat.update shows only what changed."""
        if shown.method == "chat.postMessage":
            for message in reversed(self.fake.messages(str(shown.params.get("channel") or ""))):
                if message.get("text") == shown.params.get("text"):
                    self._sent_lines[(str(shown.params.get("channel")), str(message.get("ts")))] = shown.lines
                    break
        elif shown.method == "chat.update":
            self._sent_lines[self._message_key(shown)] = shown.lines

    @contextmanager
    def quietly(self) -> Iterator[None]:
        """Record what is shown but print nothing (the brief transcript's "the same again" steps)."""
        out, self.out = self.out, None
        try:
            yield
        finally:
            self.out = out

    def _emit(self, shown: Shown) -> Shown:
        shown.index = len(self.shown) + 1
        self.shown.append(shown)
        if self.json_dir is not None and shown.payload:
            who = _slug(self.name(shown.user_ids[0]).split()[0]) if shown.user_ids else _slug(shown.audience)
            path = self.json_dir / f"{shown.index:03d}-{shown.kind}-{who}.json"
            path.write_text(json.dumps(shown.payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if self.out is None:
            return shown
        self._heading()
        stamp = self.when(shown.at, shown.user_ids[0] if len(shown.user_ids) == 1 else None)
        if shown.kind in ("reaction", "delete", "error"):
            line = " ".join(shown.lines) if shown.kind == "reaction" else f"{shown.audience}: {' '.join(shown.lines)}"
            if not self.full and shown.kind == "reaction":
                if "reaction" in self._families:
                    return shown
                self._families.add("reaction")
            self._one_line(line, stamp)
            return shown
        if (
            not self.full
            and shown.kind == "home"
            and ("home", shown.user_ids[0] if shown.user_ids else "") not in self._expand
        ):
            return shown
        compact = self._compact(shown)
        if compact is None and not self.full:
            compact = self._brief(shown)
        self._remember(shown)
        if compact is not None:
            if compact:
                self._one_line(compact, stamp)
            return shown
        lines = shown.lines
        body = [line.strip() for line in lines if line.strip() and not line.strip().startswith("[")]
        if not self.full and len(body) <= 2 and len(body) == len([line for line in lines if line.strip()]):
            # A short message or notice with no buttons reads as well on one line.
            self._one_line(f"{shown.audience}: {' '.join(body)}", stamp)
            return shown
        self.print()
        if not self.full and len(lines) > BRIEF_MAX_LINES:
            more = len(lines) - BRIEF_MAX_LINES + 1
            lines = [*lines[: BRIEF_MAX_LINES - 1], f"… {more} more lines (growthbot demo --full shows them all)"]
        for line in render.frame(f"{shown.audience} · {stamp}", lines, width=self.width):
            self.print(line)
        return shown
