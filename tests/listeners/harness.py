"""The end-to-end harness every Slack feature test reuses.

The real Bolt app from `create_app`, served over real HTTP, receiving Slack-signed requests from
`SlackRequests`, calling the fake Slack through the real WebClient from `make_web_client`, on a real
SQLite database. Nothing of the project is patched.

    def test_something(harness: Harness) -> None:
        harness.seed_person("U1", framework_id="luko-execution", level="2")
        harness.command("U1", "next")
        assert "Delivery" in harness.last_ephemeral_text("U1")

Listeners run on Bolt's thread pool after the HTTP ack; `settle()` (called by `command`, `action`,
`submit` and `event`) waits until every listener started so far has finished, so assertions never race.
Use it as a fixture (`harness`, on SQLite; `harness_any`, on SQLite and PostgreSQL) or build one with
`start_harness(db)`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

import pytest
from slack_bolt import App

from bot.app import create_app
from bot.deps import Deps
from bot.followups import BoundedExecutor
from bot.services.timing import next_occurrence
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack
from bot.testing.http_server import serve_bolt_app
from bot.testing.slack_requests import Response, SlackRequests
from frameworks import Library, LibraryHolder, load_library
from storage.clock import utcnow
from storage.models import EvidenceSource, ManagerLinkStatus
from tests.conftest import Database

SIGNING_SECRET = "harness-signing-secret"
TEAM_ID = "T0001"
SETTLE_TIMEOUT_S = 30.0  # a deadline for a hung listener, not a performance assertion


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, remembering what it ran so tests can wait for it to drain."""

    def __init__(self, max_workers: int = 8) -> None:
        super().__init__(max_workers, thread_name_prefix="harness-bolt")
        self._futures: list[Future[Any]] = []
        self._lock = threading.Lock()
        self.escaped: list[BaseException] = []  # exceptions Bolt did not handle (its error path failed)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._check)
        with self._lock:
            self._futures.append(future)
        return future

    def _check(self, future: Future[Any]) -> None:
        error = future.exception()
        if error is not None:
            self.escaped.append(error)

    @property
    def idle(self) -> bool:
        with self._lock:
            return all(f.done() for f in self._futures)

    def settle(self, timeout: float = SETTLE_TIMEOUT_S) -> None:
        # Listeners may submit more work (lazy listeners), so drain until nothing new appears.
        while True:
            with self._lock:
                pending = [f for f in self._futures if not f.done()]
                self._futures = pending
            if not pending:
                if self.escaped:
                    raise AssertionError(f"a listener task raised past Bolt: {self.escaped!r}") from self.escaped[0]
                return
            _, not_done = wait(pending, timeout=timeout)
            if not_done:
                raise AssertionError(f"{len(not_done)} listener(s) still running after {timeout} s")


@dataclass
class Harness:
    fake: FakeSlack
    requests: SlackRequests
    deps: Deps
    app: App
    db: Database
    url: str
    executor: TrackingExecutor
    followups: TrackingExecutor
    clock: list[datetime | None] = field(default_factory=lambda: [None])
    team_id: str = TEAM_ID
    slack_users: set[str] = field(default_factory=set)

    # ------------------------------------------------------------------ time

    @property
    def now(self) -> datetime:
        return self.deps.now()

    def set_now(self, moment: datetime | None) -> None:
        """Freeze the app's clock at `moment` (naive UTC); None goes back to the wall clock."""
        self.clock[0] = moment

    # ------------------------------------------------------------------ sending what Slack sends

    def settle(self) -> None:
        """Wait for Bolt's listeners and the work they queued after their ack (`deps.followups`)."""
        while True:
            self.executor.settle()
            self.followups.settle()
            if self.executor.idle and self.followups.idle:
                return

    def command(self, user_id: str, text: str, **options: Any) -> Response:
        """`/ladder <text>` from `user_id`; returns the HTTP ack after the listener finished."""
        response = self.requests.slash_command(user_id, text, **options)
        self.settle()
        return response

    def action(self, user_id: str, action_id: str, value: str | None = None, **options: Any) -> Response:
        response = self.requests.block_action(user_id, action_id, value, **options)
        self.settle()
        return response

    def submit(self, user_id: str, view: Mapping[str, Any], state_values: dict[str, Any], **options: Any) -> Response:
        """Submit `view` (as the fake recorded it, e.g. `fake.opened_views[-1]`) with these input values."""
        response = self.requests.view_submission(
            user_id,
            view.get("callback_id"),
            state_values,
            private_metadata=view.get("private_metadata"),
            view=dict(view),
            **options,
        )
        self.settle()
        return response

    def event(self, event: dict[str, Any], **options: Any) -> Response:
        response = self.requests.event(event, **options)
        self.settle()
        return response

    def open_home(self, user_id: str, **options: Any) -> Response:
        response = self.requests.app_home_opened(user_id, **options)
        self.settle()
        return response

    # ------------------------------------------------------------------ reading what the bot did

    def ephemerals(self, user_id: str) -> list[dict[str, Any]]:
        """Ephemeral answers to `user_id` (through response_url or chat.postEphemeral), oldest first."""
        return [
            m for m in self.fake.ephemeral_messages() if m.get("target_user") == user_id or m.get("user") == user_id
        ]

    def last_ephemeral(self, user_id: str) -> dict[str, Any]:
        found = self.ephemerals(user_id)
        assert found, f"no ephemeral message for {user_id}; calls: {self.fake.counts}"
        return found[-1]

    def last_ephemeral_text(self, user_id: str) -> str:
        """The whole visible text of the latest ephemeral answer: fallback text plus every block's text."""
        return message_text(self.last_ephemeral(user_id))

    def home(self, user_id: str) -> dict[str, Any]:
        views = self.fake.views_published
        assert user_id in views, f"no Home published for {user_id}; calls: {self.fake.counts}"
        return views[user_id]

    def home_text(self, user_id: str) -> str:
        return message_text(self.home(user_id))

    def person_count(self) -> int:
        with self.deps.uow() as uow:
            workspace = uow.workspaces.get_by_team(self.team_id)
            return len(uow.people.list_in_workspace(workspace.id)) if workspace else 0

    # ------------------------------------------------------------------ seeding the database

    @property
    def library(self) -> Library:
        return self.deps.library

    def add_slack_user(self, user_id: str, name: str | None = None, *, tz: str = "Europe/Paris", **kw: Any) -> None:
        """A person in the fake Slack directory (users.info answers for them)."""
        self.fake.add_user(user_id, name or user_id.lower(), tz=tz, **kw)
        self.slack_users.add(user_id)

    def seed_person(
        self,
        user_id: str,
        *,
        framework_id: str = "luko-execution",
        level: str | None = None,
        levels: Mapping[str, str] | None = None,
        track: str | None = None,
        name: str | None = None,
        tz: str = "Europe/Paris",
        weekday: int = 0,
        local_time: time = time(10, 0),
        manager: str | None = None,
        manager_status: ManagerLinkStatus = ManagerLinkStatus.ACTIVE,
        in_slack: bool = True,
    ) -> int:
        """A set-up person (Slack user, person, placement, schedule, optional manager link); their id.

        `level` places every area at one level (default: the ladder's lowest); `levels` overrides areas.
        `manager` is a Slack user id, created as a person when new.
        """
        framework = self.library[framework_id]
        base = level or framework.levels[0].id
        placed = {area.id: base for area in framework.areas}
        placed.update(levels or {})
        if in_slack and user_id not in self.slack_users:
            self.add_slack_user(user_id, name, tz=tz)
        now = self.now
        with self.deps.uow() as uow:
            workspace = uow.workspaces.get_or_create(self.team_id)
            person, _ = uow.people.get_or_add(workspace.id, user_id, imported_name=name or user_id.lower(), tz=tz)
            uow.placements.open(person.id, framework_id, placed, track=track, reason="setup", now=now)
            uow.schedules.upsert(
                person.id,
                weekday=weekday,
                local_time=local_time,
                next_due_at=next_occurrence(weekday=weekday, local_time=local_time, tz=tz, after=now),
            )
            if manager is not None:
                if in_slack and manager not in self.slack_users:
                    self.add_slack_user(manager)
                boss, _ = uow.people.get_or_add(workspace.id, manager, imported_name=manager.lower())
                link = uow.managers.request(person.id, boss.id, requested_by_id=person.id, now=now)
                if manager_status is ManagerLinkStatus.ACTIVE:
                    uow.managers.accept(link, now)
            return person.id

    def add_evidence(
        self,
        user_id: str,
        text: str,
        behaviour_ids: Iterable[str] = (),
        *,
        framework_id: str | None = None,
        created_at: datetime | None = None,
        source: EvidenceSource = EvidenceSource.MODAL,
    ) -> int:
        """An evidence item for a seeded person, tagged with behaviours of their ladder; its id."""
        with self.deps.uow() as uow:
            workspace = uow.workspaces.get_or_create(self.team_id)
            person = uow.people.get_by_slack_id(workspace.id, user_id)
            assert person is not None, f"seed {user_id} first"
            placement = uow.placements.current_for(person.id)
            framework = self.library[framework_id or (placement.framework_id if placement else "")]
            evidence, _ = uow.evidence.add_once(
                person_id=person.id, text=text, source=source, now=created_at or self.now
            )
            for behaviour_id in behaviour_ids:
                uow.evidence.tag_behaviour(evidence, framework, framework.behaviour(behaviour_id))
            return evidence.id

    def next_behaviour_ids(self, user_id: str, area_id: str | None = None) -> list[str]:
        """The behaviours of the person's next milestone (optionally one area), in ladder order."""
        from frameworks.lookups import next_milestone

        with self.deps.uow() as uow:
            workspace = uow.workspaces.get_or_create(self.team_id)
            person = uow.people.get_by_slack_id(workspace.id, user_id)
            assert person is not None
            placement = uow.placements.current_for(person.id)
            assert placement is not None
            milestone = next_milestone(self.library[placement.framework_id], placement.levels, placement.track)
        return [b.id for step in milestone.areas if area_id in (None, step.area.id) for b in step.behaviours]


def message_text(message: Mapping[str, Any]) -> str:
    """Every piece of text in a message or view (text, blocks, fields, elements), newline-joined."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
                parts.append(node["text"])
            for key, value in node.items():
                if key != "text" or not isinstance(value, str):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    if isinstance(message.get("text"), str):
        parts.append(message["text"])
    walk(message.get("blocks") or [])
    return "\n".join(parts)


def make_settings(fake: FakeSlack, db: Database, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": db.url,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


_LIBRARY: Library | None = None


def bundled_library() -> Library:
    """The shipped ladders, loaded once per test process (a Library is immutable)."""
    global _LIBRARY
    if _LIBRARY is None:
        _LIBRARY = load_library()
    return _LIBRARY


@contextmanager
def start_harness(
    db: Database, *, library: Library | None = None, ladders: LibraryHolder | None = None, **settings_overrides: Any
) -> Iterator[Harness]:
    """Fake Slack + real app + HTTP server on `db` (tables already created); everything stops at exit.

    `ladders` is a holder over ladder directories a test edits and reloads; by default the shipped ladders."""
    with FakeSlack(team_id=TEAM_ID) as fake:
        settings = make_settings(fake, db, **settings_overrides)
        clock: list[datetime | None] = [None]
        followups = TrackingExecutor(4)
        deps = Deps(
            settings=settings,
            uow=db.uow,
            ladders=ladders or LibraryHolder(library=library or bundled_library()),
            client=make_web_client(settings),
            now=lambda: clock[0] or utcnow(),
            followups=BoundedExecutor(followups, settings.answer_queue),
        )
        executor = TrackingExecutor()
        app = create_app(deps, listener_executor=executor)
        url, stop = serve_bolt_app(app)
        try:
            requests = SlackRequests(url, SIGNING_SECRET, fake, team_id=TEAM_ID)
            yield Harness(fake, requests, deps, app, db, url, executor, followups, clock)
        finally:
            stop()
            for pool in (executor, followups):
                pool.settle()
                pool.shutdown(wait=True)


@pytest.fixture
def harness(sqlite_db: Database) -> Iterator[Harness]:
    with start_harness(sqlite_db) as running:
        yield running


@pytest.fixture
def harness_any(db: Database) -> Iterator[Harness]:
    """The harness on each backend (SQLite, then PostgreSQL). A module whose every flow should run on
    both overrides `harness` with a fixture returning `harness_any`."""
    with start_harness(db) as running:
        yield running
