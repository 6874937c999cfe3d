"""Fault tests run `growthbot tick` in real subprocesses against a database and a fake Slack owned by the test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bot.testing.fake_slack import FakeSlack
from storage.models import Person, Placement, Prompt, PromptSchedule, PromptState, Workspace
from tests.conftest import Database

LADDER = "luko-execution"
LEVELS = {"delivery": "1", "communication": "1", "quality": "1", "optimisation": "1"}
DUE = datetime(2024, 1, 8, 9, 0)  # a Monday, 09:00 UTC
WAIT_LIMIT_S = 60.0  # a hang guard, never a performance assertion


def seed_due_people(db: Database, fake: FakeSlack, count: int, due: datetime = DUE) -> list[int]:
    """`count` people (UTC, Monday 09:00) whose prompt is due at `due`; their person ids."""
    with db.engine.begin() as connection:
        workspace_id = connection.execute(
            insert(Workspace).values(team_id=fake.team_id, name="Faults", created_at=due).returning(Workspace.id)
        ).scalar_one()
        people = [
            {"workspace_id": workspace_id, "slack_user_id": f"UF{n:05d}", "display_name": f"p{n}", "tz": "UTC",
             "active": True, "created_at": due, "updated_at": due}
            for n in range(count)
        ]  # fmt: skip
        connection.execute(insert(Person), people)
        ids = list(connection.execute(select(Person.id).order_by(Person.id)).scalars())
        connection.execute(
            insert(Placement),
            [{"person_id": i, "framework_id": LADDER, "levels": LEVELS, "started_at": due, "reason": "setup"}
             for i in ids],
        )  # fmt: skip
        connection.execute(
            insert(PromptSchedule),
            [{"person_id": i, "weekday": 0, "local_time": clock_time(9, 0), "cadence": "weekly", "paused": False,
              "next_due_at": due, "updated_at": due} for i in ids],
        )  # fmt: skip
    for n in range(count):
        fake.add_user(f"UF{n:05d}", f"p{n}", tz="UTC")
    return ids


def tick_env(fake: FakeSlack, db: Database, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "GROWTHBOT_")) and k != "DATABASE_URL"}
    env.update(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=db.url,
        LOG_LEVEL="WARNING",
        GROWTHBOT_FANOUT_CONCURRENCY="8",
    )
    env.update(extra)
    return env


def start_tick(now: datetime, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "tick", "--now", now.isoformat() + "Z"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_tick(now: datetime, env: dict[str, str], cwd: Path) -> str:
    process = start_tick(now, env, cwd)
    out, err = process.communicate(timeout=WAIT_LIMIT_S)
    assert process.returncode == 0, f"tick failed ({process.returncode}):\n{out}\n{err}"
    return out


def kill_after_posts(process: subprocess.Popen[str], fake: FakeSlack, posts: int) -> int:
    """SIGKILL the tick once the fake has seen `posts` chat.postMessage calls; how many it had seen."""
    deadline = time.monotonic() + WAIT_LIMIT_S
    while fake.count("chat.postMessage") < posts and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=WAIT_LIMIT_S)
    return fake.count("chat.postMessage")


def delivered(fake: FakeSlack) -> Counter[int]:
    """How many times each prompt id reached Slack (from the prompt messages' metadata)."""
    found: Counter[int] = Counter()
    for message in fake.messages():
        payload = (message.get("metadata") or {}).get("event_payload") or {}
        if "prompt_id" in payload:
            found[int(payload["prompt_id"])] += 1
    return found


def prompt_states(db: Database) -> Counter[PromptState]:
    with db.uow() as uow:
        return Counter(uow.session.scalars(select(Prompt.state)))


def prompt_ids(db: Database) -> Sequence[int]:
    with db.uow() as uow:
        return list(uow.session.scalars(select(Prompt.id)))


def describe(found: Counter[int]) -> dict[str, Any]:
    return {"delivered": len(found), "repeats": sum(n - 1 for n in found.values() if n > 1)}
