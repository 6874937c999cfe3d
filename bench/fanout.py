"""Prompt fan-out: N people due in the same minute, a fake Slack answering every call after 50 ms.

The fake Slack runs in its own process (as Slack would), so the bot's numbers are its own: wall time
of the tick's two phases (plan: prompt rows from schedules; deliver: users.info, conversations.open and
chat.postMessage per prompt), prompts sent per second, duplicates and misses counted from what the
fake received (each prompt message carries its prompt id in metadata), and the bench process's peak
RSS. With `--rate R`, chat.postMessage is limited to R per second workspace-wide (429 + Retry-After
over it) and the table adds achieved / allowed.

    .venv/bin/python bench/fanout.py                                   # 10,000 people, 16 and 32 workers
    .venv/bin/python bench/fanout.py --people 3000 --rate 50 --concurrency 16
    .venv/bin/python bench/fanout.py --backend postgres

Timings are printed, never asserted. PostgreSQL: GROWTHBOT_BENCH_PG_URL names a server where a
throwaway database is created and dropped (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from multiprocessing.connection import Connection
from pathlib import Path

from sqlalchemy import Connection as SqlConnection
from sqlalchemy import Engine, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.delivery.fanout import fanout_client
from bot.delivery.tick import deliver_due
from bot.deps import Deps
from bot.services.planning import plan_due
from bot.services.tick import TickConfig, TickReport
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack
from frameworks import LibraryHolder, load_library
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Person, Placement, PromptSchedule, Workspace
from storage.uow import UnitOfWorkFactory

DUE = datetime(2024, 1, 8, 9, 0)
LADDER = "luko-execution"
LEVELS = {"delivery": "1", "communication": "1", "quality": "1", "optimisation": "1"}
PG_URL = os.environ.get("GROWTHBOT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BATCH = 5_000


# ---------------------------------------------------------------------------------------------------
# The fake Slack, in a child process driven over a pipe


def _serve_fake(conn: Connection, latency_s: float, user_ids: list[str]) -> None:
    fake = FakeSlack(latency_s=latency_s, record_calls=False).start()
    for user_id in user_ids:
        fake.add_user(user_id, user_id.lower(), tz="UTC")
    conn.send(fake.api_url)
    while True:
        command, argument = conn.recv()
        if command == "rate_limit":
            per_second, burst = argument
            fake.rate_limit("chat.postMessage", per_second, burst=burst)
            conn.send(None)
        elif command == "tiers":  # Slack's tiers at their floors, chat.postMessage capped at `argument`/s
            fake.use_rate_tiers(post_per_second=argument)
            conn.send(None)
        elif command == "counts":
            conn.send(fake.counts)
        elif command == "summary":
            delivered: Counter[int] = Counter()
            for message in fake.messages():
                payload = (message.get("metadata") or {}).get("event_payload") or {}
                if "prompt_id" in payload:
                    delivered[int(payload["prompt_id"])] += 1
            conn.send((delivered, fake.counts))
        elif command == "stop":
            fake.stop()
            conn.send(None)
            return


@contextmanager
def fake_slack(latency_s: float, user_ids: list[str]) -> Iterator[tuple[str, Connection]]:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve_fake, args=(child, latency_s, user_ids), daemon=True
    )
    process.start()
    try:
        yield parent.recv(), parent
    finally:
        parent.send(("stop", None))
        parent.recv()
        process.join(timeout=30)


# ---------------------------------------------------------------------------------------------------
# The database


@contextmanager
def database(backend: str) -> Iterator[tuple[str, Engine]]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{directory}/fanout.db"
            engine = make_engine(url)
            try:
                yield url, engine
            finally:
                engine.dispose()
        return
    name = f"growthbot_fanout_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rpartition("/")[0] + f"/{name}"
    engine = make_engine(url)
    try:
        yield url, engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def place_due(connection: SqlConnection, ids: list[int]) -> None:
    """Place these people on the bench ladder with a weekly Monday 09:00 prompt due at DUE."""
    placements = [
        {"person_id": i, "framework_id": LADDER, "levels": LEVELS, "started_at": DUE, "reason": "setup"} for i in ids
    ]
    schedules = [
        {"person_id": i, "weekday": 0, "local_time": clock_time(9, 0), "cadence": "weekly", "paused": False,
         "next_due_at": DUE, "updated_at": DUE}
        for i in ids
    ]  # fmt: skip
    for start in range(0, len(ids), BATCH):
        connection.execute(insert(Placement), placements[start : start + BATCH])
        connection.execute(insert(PromptSchedule), schedules[start : start + BATCH])


def seed(engine: Engine, people: int) -> list[str]:
    """`people` people in UTC whose Monday 09:00 prompt is due at DUE; their Slack ids."""
    slack_ids = [f"UB{n:06d}" for n in range(people)]
    with engine.begin() as connection:
        workspace_id = connection.execute(
            insert(Workspace).values(team_id="T0001", name="Bench", created_at=DUE).returning(Workspace.id)
        ).scalar_one()
        rows = [
            {"workspace_id": workspace_id, "slack_user_id": s, "display_name": s, "tz": "UTC", "active": True,
             "created_at": DUE, "updated_at": DUE}
            for s in slack_ids
        ]  # fmt: skip
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(Person), rows[start : start + BATCH])
        place_due(connection, list(connection.execute(select(Person.id).order_by(Person.id)).scalars()))
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    return slack_ids


# ---------------------------------------------------------------------------------------------------
# One run


@dataclass
class Result:
    backend: str
    people: int
    concurrency: int
    rate: float | None
    plan_s: float
    deliver_s: float
    sent: int
    duplicates: int
    misses: int
    rate_limited: int
    rss_before_mb: float
    rss_peak_mb: float

    @property
    def per_second(self) -> float:
        return self.sent / self.deliver_s if self.deliver_s else 0.0

    @property
    def achieved_ratio(self) -> float | None:
        return self.per_second / self.rate if self.rate else None


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(backend: str, people: int, concurrency: int, latency_s: float, rate: float | None, burst: int) -> Result:
    with database(backend) as (url, engine):
        upgrade_to_head(engine)
        slack_ids = seed(engine, people)
        library = load_library()
        with fake_slack(latency_s, slack_ids) as (api_url, control):
            if rate:
                control.send(("rate_limit", (rate, burst)))
                control.recv()
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                SLACK_BOT_TOKEN="xoxb-test",
                SLACK_API_URL=api_url,
                DATABASE_URL=url,
                GROWTHBOT_FANOUT_CONCURRENCY=str(concurrency),
            )
            origin = time.monotonic()
            deps = Deps(
                settings=settings,
                uow=UnitOfWorkFactory(make_session_factory(engine)),
                ladders=LibraryHolder(library=library),
                client=make_web_client(settings),
                now=lambda: DUE + timedelta(seconds=time.monotonic() - origin),
            )
            config = TickConfig.from_settings(settings)
            report = TickReport()
            rss_before = _rss_mb()
            started = time.perf_counter()
            plan_due(deps.uow, deps.library, config, deps.now(), report)
            planned = time.perf_counter()
            deliver_due(deps, config, report, instance_id="bench", client=fanout_client(deps))
            finished = time.perf_counter()
            control.send(("summary", None))
            delivered, _counts = control.recv()
    return Result(
        backend=backend,
        people=people,
        concurrency=concurrency,
        rate=rate,
        plan_s=planned - started,
        deliver_s=finished - planned,
        sent=report["sent"],
        duplicates=sum(n - 1 for n in delivered.values() if n > 1),
        misses=people - len(delivered),
        rate_limited=report["rate_limited"],
        rss_before_mb=rss_before,
        rss_peak_mb=_rss_mb(),
    )


def _row(result: Result) -> str:
    ratio = f"{result.achieved_ratio:.2f}" if result.achieved_ratio is not None else "-"
    rate = f"{result.rate:g}/s" if result.rate else "none"
    return (
        f"| {result.backend} | {result.people:,} | {result.concurrency} | {rate} | {result.plan_s:.1f} | "
        f"{result.deliver_s:.1f} | {result.per_second:.0f} | {ratio} | {result.duplicates} | {result.misses} | "
        f"{result.rate_limited} | {result.rss_peak_mb:.0f} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 32])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--rate", type=float, default=None, help="chat.postMessage limit per second, workspace-wide")
    parser.add_argument("--burst", type=int, default=5, help="token bucket burst for --rate")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{args.people:,} people due in one minute; fake Slack latency {args.latency_ms:g} ms per call; "
        f"{os.cpu_count()} CPUs, load average {load} at start\n"
    )
    print(
        "| backend | people | workers | postMessage limit | plan s | deliver s | prompts/s | achieved/allowed "
        "| duplicates | misses | 429s | peak RSS MB |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for backend in backends:
        for concurrency in args.concurrency:
            result = run(backend, args.people, concurrency, args.latency_ms / 1000, args.rate, args.burst)
            print(_row(result), flush=True)


if __name__ == "__main__":
    main()
