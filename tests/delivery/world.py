"""A database, a fake Slack and Deps for the prompt tick tests (delivery, planning, prompt content, evidence)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.delivery.tick import run_tick
from bot.deps import Deps
from bot.services.tick import TickConfig, TickReport
from bot.services.timing import next_occurrence
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack
from frameworks import Library, LibraryHolder, load_library
from storage.models import Cadence, Prompt, PromptState
from tests.conftest import Database

LADDER = "luko-execution"
TEAM = "T0001"
_LIBRARY: list[Library] = []


def library() -> Library:
    if not _LIBRARY:
        _LIBRARY.append(load_library())
    return _LIBRARY[0]


@dataclass
class World:
    db: Database
    fake: FakeSlack
    deps: Deps
    clock: list[datetime] = field(default_factory=lambda: [datetime(2024, 1, 2)])
    quiet_days: frozenset[date] = frozenset()

    @property
    def now(self) -> datetime:
        return self.clock[0]

    def at(self, moment: datetime) -> World:
        self.clock[0] = moment
        return self

    def config(self, **overrides: Any) -> TickConfig:
        values: dict[str, Any] = {"quiet_days": self.quiet_days, "rate_limit_wait_max_s": 10.0}
        values.update(overrides)
        return TickConfig.from_settings(self.deps.settings, **values)

    def tick(self, moment: datetime | None = None, **config: Any) -> TickReport:
        if moment is not None:
            self.at(moment)
        client = make_web_client(
            self.fake.bot_token,
            self.fake.api_url,
            rate_limit_retries=0,
            server_error_retries=1,
            retry_interval=FixedValueRetryIntervalCalculator(0.01),
        )
        return run_tick(self.deps, config=self.config(**config), client=client, instance_id="test")

    def person(
        self,
        user_id: str,
        *,
        tz: str = "Europe/Paris",
        slack_tz: str | None = None,
        weekday: int = 0,
        local_time: time = time(10, 0),
        level: str = "1",
        cadence: Cadence = Cadence.WEEKLY,
        anchor: date | None = None,
        in_slack: bool = True,
        after: datetime | None = None,
        ladder: str = LADDER,
    ) -> int:
        if in_slack:
            self.fake.add_user(user_id, user_id.lower(), tz=slack_tz or tz)
        framework = self.deps.library[ladder]
        with self.deps.uow() as uow:
            workspace = uow.workspaces.get_or_create(TEAM)
            person = uow.people.add(workspace.id, user_id, imported_name=user_id.lower(), tz=tz)
            uow.placements.open(person.id, ladder, {a.id: level for a in framework.areas}, reason="setup", now=self.now)
            uow.schedules.upsert(
                person.id,
                weekday=weekday,
                local_time=local_time,
                cadence=cadence,
                anchor_date=anchor,
                next_due_at=next_occurrence(
                    weekday=weekday,
                    local_time=local_time,
                    tz=tz,
                    after=after or self.now,
                    cadence=cadence,
                    anchor_date=anchor,
                ),
            )
            return person.id

    def prompts(self, person_id: int | None = None) -> list[Prompt]:
        with self.deps.uow() as uow:
            if person_id is not None:
                return list(uow.prompts.all_for(person_id))
            from sqlalchemy import select

            return list(uow.session.scalars(select(Prompt).order_by(Prompt.id)))

    def states(self, person_id: int) -> list[PromptState]:
        return [p.state for p in self.prompts(person_id)]

    def next_due(self, person_id: int) -> datetime | None:
        with self.deps.uow() as uow:
            schedule = uow.schedules.get_for(person_id)
            return schedule.next_due_at if schedule else None

    def dm(self, user_id: str) -> list[dict[str, Any]]:
        """Top-level messages in the bot's DM with the user (thread replies excluded)."""
        channel = self.fake.dm_channel_for(user_id)
        return [m for m in self.fake.messages(channel) if m.get("thread_ts") in (None, m["ts"])]


def settings_for(fake: FakeSlack, db: Database, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": db.url,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@contextmanager
def make_world(db: Database, **settings: Any) -> Iterator[World]:
    with FakeSlack(team_id=TEAM) as fake:
        clock = [datetime(2024, 1, 2)]
        deps = Deps(
            settings=settings_for(fake, db, **settings),
            uow=db.uow,
            ladders=LibraryHolder(library=library()),
            client=make_web_client(fake.bot_token, fake.api_url),
            now=lambda: clock[0],
        )
        yield World(db, fake, deps, clock)
