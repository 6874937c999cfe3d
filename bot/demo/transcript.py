"""What the demo prints: every message, modal and Home view the bot produced, with who sees it and when.

The things shown are read back from the fake Slack (shown.py); how much of each is printed is the
condenser's call (condensing.py). This module prints them: week headings, each person's local time next
to the reader's, the script's narration, framed messages and views, and the Block Kit JSON files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.demo import render
from bot.demo.condensing import Condenser
from bot.demo.shown import Shown, SlackReader
from bot.demo.team import Team
from bot.testing.fake_slack import FakeSlack


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
        self.team = team
        self.now = now
        self.out = out
        self.json_dir = json_dir
        self.names = {member.slack_id: member.name for member in team.members}
        self.names[fake.bot_user_id] = "growthbot"
        self.options = render.RenderOptions(
            width=width - 3, ansi=ansi, users=self.names, channels={team.channel_id: team.channel_name}
        )
        self.width = width
        self.shown: list[Shown] = []
        self.slack_reader = SlackReader(fake, team, self.names, self.options, now)
        self.condenser = Condenser(fake, self.names, self.options, full=full)
        self._last_heading: tuple[int, str] | None = None
        self._week_start = min(
            datetime.combine(team.week_one.date(), datetime.min.time(), tzinfo=ZoneInfo(member.tz))
            .astimezone(ZoneInfo("UTC"))
            .replace(tzinfo=None)
            for member in team.members
        )
        self._last_stamp = ""
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

    # ------------------------------------------------------------------ showing what Slack got

    def collect(self, actor: str | None = None) -> list[Shown]:
        """Show everything the bot sent since the last call; `actor` is who caused it (for modals and replies)."""
        shown = [self._emit(item) for item in self.slack_reader.read_new(actor)]
        if self.fake.internal_errors:
            for error in self.fake.internal_errors:
                self.note(f"⚠ fake Slack internal error: {error.splitlines()[-1]}")
            self.fake.internal_errors.clear()
        return shown

    def show_answer(self, actor: str, payload: Mapping[str, Any] | None) -> Shown | None:
        """A slash command or submission answered in the HTTP acknowledgement itself."""
        found = self.slack_reader.answer(actor, payload)
        return self._emit(found) if found is not None else None

    # ------------------------------------------------------------------ output

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
            who = (
                _slug(self.slack_reader.name(shown.user_ids[0]).split()[0]) if shown.user_ids else _slug(shown.audience)
            )
            path = self.json_dir / f"{shown.index:03d}-{shown.kind}-{who}.json"
            path.write_text(json.dumps(shown.payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if self.out is None:
            return shown
        self._heading()
        stamp = self.when(shown.at, shown.user_ids[0] if len(shown.user_ids) == 1 else None)
        what = self.condenser.condense(shown)
        if isinstance(what, str):
            if what:
                self._one_line(what, stamp)
            return shown
        self.print()
        for line in render.frame(f"{shown.audience} · {stamp}", what, width=self.width):
            self.print(line)
        return shown
