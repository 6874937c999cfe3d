"""Sets up the demo world and drives it: a fresh SQLite file, the fake Slack, the real app over HTTP.

    with DemoWorld(team, workdir, start=moment) as world:
        world.command("U0PRIYA", "me")      # a signed slash command to the real Bolt app
        world.run_until(later)              # the real tick, at every moment something may fall due

Nothing here changes how the app behaves: the app is built by `create_app` from the `Deps` that
`bot.wiring.build(settings)` makes for `growthbot serve`, with substitutions any deployment could make:
`Deps.now` reads a simulated clock, and the thread pools the app runs listeners and after-ack work on
(Bolt's `listener_executor`, `Deps.followups`) are ones that report when they have drained, so each
step's Slack calls are all recorded before the next step starts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func, select

from bot import scheduler
from bot.app import create_app
from bot.demo import forms
from bot.demo.clock import SimClock, TrackingExecutor
from bot.demo.shown import Shown
from bot.demo.team import Member, Team
from bot.demo.transcript import Transcript
from bot.deps import Deps
from bot.followups import BoundedExecutor
from bot.settings import Settings, load_settings
from bot.testing.fake_slack import FakeSlack
from bot.testing.http_server import serve_bolt_app
from bot.testing.slack_requests import Response, SlackRequests
from bot.wiring import build
from storage.migrate import upgrade_to_head
from storage.models import OneOnOne, Prompt, PromptSchedule

SIGNING_SECRET = "demo-signing-secret"  # shared by the in-process fake and app; nothing leaves this process
BOT_TOKEN = "xoxb-demo"
# The real tick runs at least this often on the simulated clock, besides every moment something is due.
SAFETY_TICK = timedelta(hours=1)
SETTLE_TIMEOUT_S = 30.0
ANSWER_TIMEOUT_S = 10.0  # Slack itself shows "didn't respond" long before this
# After a command's answer, how long the fake Slack must stay quiet before the step is over.
QUIET_S = 0.02
ANSWER_METHODS = frozenset({"views.open", "chat.postMessage", "chat.postEphemeral"})


class DemoError(RuntimeError):
    """The demo could not go on (the app refused a request, a listener hung)."""


def demo_settings(
    database_url: str, fake: FakeSlack, log_level: str = "WARNING", frameworks_dir: Path | None = None
) -> Settings:
    """Settings for the demo: everything that shapes the run is explicit, so a developer's .env cannot change it."""
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": None,
        "SLACK_API_URL": fake.api_url,
        "GROWTHBOT_FRAMEWORKS_DIR": str(frameworks_dir) if frameworks_dir else None,
        "GROWTHBOT_ADMINS": [],
        "GROWTHBOT_ADMINS_READ_EVIDENCE": False,
        "GROWTHBOT_PROMPT_WEEKDAY": "monday",
        "GROWTHBOT_PROMPT_TIME": "10:00",
        "GROWTHBOT_DEFAULT_TIMEZONE": "UTC",
        "GROWTHBOT_LATE_WINDOW_HOURS": 12,
        "GROWTHBOT_REMINDER_AFTER_DAYS": 2,
        "GROWTHBOT_DIGEST_LEAD_MINUTES": 120,
        "GROWTHBOT_QUIET_DAYS_FILE": None,
        "GROWTHBOT_DB_AUTO_UPGRADE": False,
        "LOG_LEVEL": log_level,
    }
    known = {info.alias for info in Settings.model_fields.values() if info.alias}
    return load_settings(_env_file=None, **{key: value for key, value in values.items() if key in known})


def real_tick(deps: Deps) -> dict[str, object]:
    """The scheduler's tick, exactly as production runs it every minute: every task's report or exception."""
    return scheduler.tick(deps)


@dataclass
class DemoWorld:
    """Everything the demo runs on, started in `__enter__` and torn down in `__exit__`."""

    team: Team
    workdir: Path
    start: datetime
    out: TextIO | None = None
    json_dir: Path | None = None
    width: int = 78
    ansi: bool = False
    full: bool = True
    reader_tz: str = "UTC"
    frameworks_dir: Path | None = None  # the team's own ladders, beside the bundled ones
    tick_function: Callable[[Deps], dict[str, object]] = real_tick
    problems: list[str] = field(default_factory=list)
    unhandled: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.clock = SimClock(self.start)
        self._stack = ExitStack()

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> DemoWorld:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _start(self) -> None:
        self.fake = FakeSlack(BOT_TOKEN, team_id=self.team.team_id)
        self.fake.team_name = self.team.name
        # Message ts, and so permalinks, carry the simulated dates.
        self.fake.use_clock(lambda: self.clock.now().replace(tzinfo=UTC).timestamp())
        self.fake.start()
        self._stack.callback(self.fake.stop)
        for member in self.team.members:
            # A Slack profile as people fill it in: a full real name, the first name as display name.
            # growthbot shows the real name (storage.models.shown_name); the narration says the first.
            self.fake.add_user(
                member.slack_id,
                member.first_name.lower(),
                real_name=member.name,
                display_name=member.first_name,
                email=member.email,
                tz=member.tz,
            )
        self.fake.add_channel(
            self.team.channel_id, self.team.channel_name, [member.slack_id for member in self.team.members]
        )

        database = self.workdir / "growthbot-demo.db"
        self.settings = demo_settings(f"sqlite:///{database}", self.fake, frameworks_dir=self.frameworks_dir)
        wired = build(self.settings)
        self.engine = wired.engine
        self._stack.callback(self.engine.dispose)
        upgrade_to_head(self.engine)
        self.deps = wired.deps
        self.deps.now = self.clock.now

        self.executor = TrackingExecutor()
        self._stack.callback(self.executor.shutdown, wait=True)
        self._pools = [self.executor]
        if hasattr(self.deps, "followups"):
            # Work listeners queue after their ack runs on this pool: track it like Bolt's own.
            followups = TrackingExecutor(4)
            self._stack.callback(followups.shutdown, wait=True)
            self.deps.followups = BoundedExecutor(followups, self.deps.settings.answer_queue)
            self._pools.append(followups)
        self.app = create_app(self.deps, listener_executor=self.executor)
        url, stop = serve_bolt_app(self.app)
        self._stack.callback(stop)
        self.requests = SlackRequests(url, SIGNING_SECRET, self.fake, team_id=self.team.team_id)
        self.transcript = Transcript(
            self.fake,
            self.team,
            self.clock.now,
            out=self.out,
            json_dir=self.json_dir,
            width=self.width,
            ansi=self.ansi,
            full=self.full,
            reader_tz=self.reader_tz,
        )

    # ------------------------------------------------------------------ time

    def now(self) -> datetime:
        return self.clock.now()

    def settle(self) -> None:
        """Wait until Bolt's listeners and the work they queued have finished (each may start the other)."""
        while True:
            for pool in self._pools:
                if not pool.wait_idle(SETTLE_TIMEOUT_S):
                    raise DemoError(f"the app's listeners were still running after {SETTLE_TIMEOUT_S:.0f} s")
            if all(pool.idle for pool in self._pools):
                return

    def tick(self) -> list[Shown]:
        """One real tick at the simulated now; shows what it sent."""
        results = self.tick_function(self.deps)
        for task, result in results.items():
            if isinstance(result, Exception):
                self.problems.append(f"tick task {task} failed at {self.now():%Y-%m-%d %H:%M} UTC: {result!r}")
        self.settle()
        return self._collect(None)

    def next_due(self, after: datetime) -> datetime | None:
        """The earliest moment after `after` at which the bot's own tables say something falls due.

        Read-only and only a hint: the tick itself decides what to do; the runner also ticks every
        `SAFETY_TICK` so anything this misses still happens, a little later.
        """
        with self.deps.uow() as uow:
            session = uow.session
            candidates = [
                session.scalar(select(func.min(PromptSchedule.next_due_at)).where(PromptSchedule.next_due_at > after)),
                session.scalar(select(func.min(OneOnOne.next_digest_at)).where(OneOnOne.next_digest_at > after)),
                # Retries of a failed send, and the one reminder of a sent prompt.
                session.scalar(select(func.min(Prompt.next_attempt_at)).where(Prompt.next_attempt_at > after)),
            ]
        found = [moment for moment in candidates if moment is not None]
        return min(found) if found else None

    def run_until(self, moment: datetime) -> None:
        """Move the clock to `moment`, running the real tick at every due moment and safety tick on the way."""
        while self.now() < moment:
            now = self.now()
            wake = min(now + SAFETY_TICK, moment)
            due = self.next_due(now)
            if due is not None and due < wake:
                wake = due
            self.clock.set(wake)
            self.tick()

    # ------------------------------------------------------------------ what people do

    def _collect(self, actor: str | None) -> list[Shown]:
        shown = self.transcript.collect(actor)
        self.problems += [f"{item.audience}: {' '.join(item.lines)}" for item in shown if item.kind == "error"]
        return shown

    def _send(
        self, actor: str, send: Callable[[], Response], answered: Callable[[Response], bool] | None = None
    ) -> tuple[Response, list[Shown]]:
        response = send()
        self.settle()
        if answered is not None and response.status == 200:
            self._await_answer(response, answered)
        if response.status == 404 and "unhandled" in response.text:
            # Bolt's answer when no listener matches: a feature this build does not have yet.
            what = _describe(response.sent)
            self.unhandled.append(what)
            self.transcript.note(f"  (the app has no listener for {what} yet: not available yet)")
        elif response.status != 200:
            self.problems.append(f"the app answered HTTP {response.status} to {actor}: {response.text[:200]}")
        shown = self._collect(actor)
        answer = _json_or_none(response)
        if answer:
            extra = self.transcript.show_answer(actor, answer)
            if extra is not None:
                shown.append(extra)
        return response, shown

    def command(self, actor: str, text: str, channel_id: str | None = None) -> list[Shown]:
        calls, posts = len(self.fake.calls()), len(self.fake.response_url_posts)

        def answered(response: Response) -> bool:
            # A slash command's answer is a post to its response_url, or a modal / message it opens.
            url = response.sent.get("response_url")
            if any(post.url == url for post in self.fake.response_url_posts[posts:]):
                return True
            return any(call.method in ANSWER_METHODS for call in self.fake.calls()[calls:])

        return self._send(actor, lambda: self.requests.slash_command(actor, text, channel_id=channel_id), answered)[1]

    def _await_answer(self, response: Response, answered: Callable[[Response], bool]) -> None:
        """Wait for a command's answer, in case the app finished it outside Bolt's listener pool.

        Bolt's own pool is tracked exactly (`settle`); work an app hands to threads of its own is not,
        so the answer is awaited, then a short quiet spell lets any follow-up calls (a Home refresh)
        land in this step rather than in the next one.
        """
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        while not answered(response):
            if time.monotonic() > deadline:
                self.problems.append(f"no answer to {_describe(response.sent)} within {ANSWER_TIMEOUT_S:.0f} s")
                return
            time.sleep(0.002)
        while True:
            count = len(self.fake.calls()) + len(self.fake.response_url_posts)
            time.sleep(QUIET_S)
            self.settle()
            if len(self.fake.calls()) + len(self.fake.response_url_posts) == count:
                return

    def click(
        self,
        actor: str,
        action_id: str,
        *,
        message: Mapping[str, Any] | None = None,
        view: Mapping[str, Any] | None = None,
        value: str | None = None,
        action: dict[str, Any] | None = None,
        state_values: dict[str, Any] | None = None,
    ) -> list[Shown]:
        """Press a button (or pick an option) in a message from the fake or in a view."""
        if value is None:
            value = forms.element_value(message or view or {}, action_id)
        return self._send(
            actor,
            lambda: self.requests.block_action(
                actor,
                action_id,
                value,
                message=dict(message) if message is not None else None,
                view=dict(view) if view is not None else None,
                action=action,
                state_values=state_values,
            ),
        )[1]

    def submit(
        self, actor: str, view: Mapping[str, Any], answers: Mapping[str, object]
    ) -> tuple[Response, list[Shown]]:
        values = forms.fill(view, answers)
        return self._send(
            actor,
            lambda: self.requests.view_submission(
                actor,
                view.get("callback_id"),
                values,
                private_metadata=view.get("private_metadata"),
                view_id=view.get("id"),
                view=dict(view),
            ),
        )

    def say(self, actor: str, text: str, *, channel: str | None = None, thread_ts: str | None = None) -> list[Shown]:
        """A person's message (in their DM with the bot unless `channel`), delivered to the app as an event."""
        channel_type = "im" if channel is None else "channel"
        return self._send(
            actor,
            lambda: self.requests.message_event(
                actor, text, channel=channel, thread_ts=thread_ts, channel_type=channel_type
            ),
        )[1]

    def post_in_channel(self, author: str, text: str) -> dict[str, Any]:
        """A person's message in the team channel, stored in the fake as Slack would hold it (no event)."""
        ts = self.fake.add_message(self.team.channel_id, author, text)
        return next(m for m in self.fake.messages(self.team.channel_id) if m["ts"] == ts)

    def shortcut(self, actor: str, callback_id: str, message: Mapping[str, Any]) -> list[Shown]:
        return self._send(
            actor,
            lambda: self.requests.message_shortcut(
                actor, callback_id, dict(message), channel_id=message.get("channel") or self.team.channel_id
            ),
        )[1]

    def open_home(self, actor: str) -> list[Shown]:
        return self._send(actor, lambda: self.requests.app_home_opened(actor))[1]

    # ------------------------------------------------------------------ reading Slack state

    def current_view(self, actor: str) -> dict[str, Any] | None:
        """The modal `actor` is looking at now (the fake's stored view, with updates applied)."""
        opened = [view for view in self.fake.opened_views if view.get("user_id") == actor]
        if not opened:
            return None
        return self.fake.view(opened[-1]["id"])

    def dm(self, member: Member | str) -> list[dict[str, Any]]:
        user_id = member if isinstance(member, str) else member.slack_id
        return self.fake.messages(self.fake.dm_channel_for(user_id))


def _describe(sent: Mapping[str, Any]) -> str:
    """What a request was, in words: `block action prompt_add_evidence`, `message event`, ..."""
    if sent.get("command"):
        return f"{sent['command']} {str(sent.get('text', '')).split(' ')[0]}".strip()
    if sent.get("type") == "event_callback":
        return f"{(sent.get('event') or {}).get('type', 'unknown')} event"
    if sent.get("type") == "block_actions":
        return "block action " + ", ".join(str(a.get("action_id")) for a in sent.get("actions") or [])
    if sent.get("type") == "view_submission":
        return f"view submission {(sent.get('view') or {}).get('callback_id', '')}".strip()
    if sent.get("type") == "message_action":
        return f"message shortcut {sent.get('callback_id', '')}".strip()
    return str(sent.get("type", "request"))


def _json_or_none(response: Response) -> dict[str, Any] | None:
    if not response.body or "json" not in response.headers.get("content-type", ""):
        return None
    try:
        answer = response.json()
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


@contextmanager
def quiet_logging(level: int = logging.ERROR) -> Iterator[None]:
    """The demo's terminal is its transcript: keep library chatter (werkzeug, Bolt, retries) out of it.

    Errors still show; a listener failure also reaches the transcript as the message the person got.
    The loggers get their own levels back afterwards (the demo also runs inside test processes).
    """
    names = ("werkzeug", "slack_bolt", "slack_sdk", "growthbot", "bot", "storage", "alembic", "apscheduler")
    loggers = [logging.getLogger(name) for name in names]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, previous in zip(loggers, before, strict=True):
            logger.setLevel(previous)
