"""How long the per-tick queries take with 100,000 people when (almost) nobody is due.

Builds a database through the real migrations with N people, each with a prompt schedule due some
time in the coming week, three weeks of past prompts (sent, answered, expired), an active manager
link and a weekly 1:1 per five people, then times what every tick runs: `schedules.due(now)`,
`prompts.claim_due`, `prompts.reminders_due`, `managers.pending_without_notice` and
`one_on_ones.due_digests`, and prints the median and worst of several runs plus each query's plan.

    .venv/bin/python bench/tick_query.py                       # SQLite and PostgreSQL, 100,000 people
    .venv/bin/python bench/tick_query.py --backend sqlite --people 20000

PostgreSQL: GROWTHBOT_BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test) names
a server where a throwaway database is created and dropped. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import (
    Cadence,
    ManagerLink,
    ManagerLinkStatus,
    OneOnOne,
    Person,
    Prompt,
    PromptSchedule,
    PromptState,
    Workspace,
)
from storage.uow import UnitOfWork, UnitOfWorkFactory

NOW = datetime(2025, 3, 3, 7, 0)  # a Monday morning, UTC
BATCH = 5_000
PG_URL = os.environ.get("GROWTHBOT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def populate(engine: Engine, people: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with engine.begin() as connection:
        connection.execute(insert(Workspace), [{"id": 1, "team_id": "TBENCH", "created_at": NOW}])
        person_rows = [
            {
                "id": i,
                "workspace_id": 1,
                "slack_user_id": f"U{i:09d}",
                "display_name": f"Person {i}",
                "email": f"p{i}@example.com",
                "tz": "UTC",
                "active": i % 50 != 0,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i in range(1, people + 1)
        ]
        for batch in _batches(person_rows):
            connection.execute(insert(Person), batch)
        schedule_rows = [
            {
                "person_id": i,
                "weekday": rng.randrange(7),
                "local_time": clock_time(rng.randrange(8, 18), 0),
                "cadence": Cadence.WEEKLY,
                "paused": False,
                # Due in the coming week, never now: the tick finds nobody.
                "next_due_at": NOW + timedelta(minutes=rng.randrange(1, 7 * 24 * 60)),
                "updated_at": NOW,
            }
            for i in range(1, people + 1)
        ]
        for batch in _batches(schedule_rows):
            connection.execute(insert(PromptSchedule), batch)
        prompt_rows = []
        for week in (1, 2, 3):
            for i in range(1, people + 1):
                due = NOW - timedelta(weeks=week, minutes=rng.randrange(0, 7 * 24 * 60))
                state = rng.choice([PromptState.ANSWERED, PromptState.SENT, PromptState.EXPIRED])
                prompt_rows.append(
                    {
                        "person_id": i,
                        "idempotency_key": f"{i}:w{week}",
                        "framework_id": "vio-execution",
                        "behaviour_ids": ["vio-execution.delivery.2.1"],
                        "due_at": due,
                        "state": state,
                        "sent_at": due,
                        "answered_at": due + timedelta(hours=3) if state is PromptState.ANSWERED else None,
                        "reminder_sent_at": due + timedelta(days=2) if state is not PromptState.ANSWERED else None,
                        "channel_id": f"D{i:09d}",
                        "message_ts": f"{1700000000 + i}.{week:06d}",
                        "attempts": 1,
                        "created_at": due,
                    }
                )
        for batch in _batches(prompt_rows):
            connection.execute(insert(Prompt), batch)
        link_rows = [
            {
                "person_id": i,
                "manager_id": (i // 5) * 5 or 5,
                "status": ManagerLinkStatus.ACTIVE,
                "created_at": NOW - timedelta(days=60),
                "decided_at": NOW - timedelta(days=59),
                "notified_at": NOW - timedelta(days=60),
            }
            for i in range(1, people + 1)
            if i % 5 != 0
        ]
        for batch in _batches(link_rows):
            connection.execute(insert(ManagerLink), batch)
        one_on_one_rows = [
            {
                "manager_id": (i // 5) * 5 or 5,
                "report_id": i,
                "cadence": Cadence.WEEKLY,
                "weekday": rng.randrange(5),
                "local_time": clock_time(14, 0),
                "digest_lead_minutes": 120,
                "next_at": NOW + timedelta(minutes=rng.randrange(180, 7 * 24 * 60)),
                "active": True,
                "created_at": NOW,
            }
            for i in range(1, people + 1)
            if i % 5 == 1
        ]
        for row in one_on_one_rows:
            row["next_digest_at"] = row["next_at"] - timedelta(minutes=120)
        for batch in _batches(one_on_one_rows):
            connection.execute(insert(OneOnOne), batch)
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))  # fresh statistics, as a long-running database would have
        connection.commit()


QUERIES: dict[str, Callable[[UnitOfWork], int]] = {
    "schedules.due(now)": lambda uow: len(uow.schedules.due(NOW, 500)),
    "prompts.claim_due(now)": lambda uow: len(uow.prompts.claim_due(NOW, "bench", 50, timedelta(minutes=5))),
    "prompts.reminders_due(now)": lambda uow: len(uow.prompts.reminders_due(NOW, timedelta(days=7), 500)),
    "managers.pending_without_notice()": lambda uow: len(uow.managers.pending_without_notice(100)),
    "one_on_ones.due_digests(now)": lambda uow: len(uow.one_on_ones.due_digests(NOW, 200)),
}


def time_queries(engine: Engine, runs: int) -> dict[str, tuple[float, float, int]]:
    factory = UnitOfWorkFactory(make_session_factory(engine))
    results = {}
    for name, query in QUERIES.items():
        timings = []
        found = 0
        for _ in range(runs):
            uow = factory()
            with uow:
                started = time.perf_counter()
                found = query(uow)
                timings.append((time.perf_counter() - started) * 1000)
                uow.session.rollback()  # keep every run identical (claim_due writes when it finds rows)
        results[name] = (statistics.median(timings), max(timings), found)
    return results


def plans(engine: Engine) -> dict[str, str]:
    """The index each query's plan uses, captured from EXPLAIN of the SQL the repository emits."""
    captured: dict[str, str] = {}
    factory = UnitOfWorkFactory(make_session_factory(engine))
    for name, query in QUERIES.items():
        statements: list[tuple[str, Any]] = []

        def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            statements.append((statement, parameters))  # noqa: B023 - used within this loop turn only

        event.listen(engine, "before_cursor_execute", record)
        try:
            with factory() as uow:
                query(uow)
                uow.session.rollback()
        finally:
            event.remove(engine, "before_cursor_execute", record)
        statement, parameters = next(
            (s, p) for s, p in statements if s.lstrip().upper().startswith(("SELECT", "UPDATE"))
        )
        with engine.connect() as connection:
            prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        captured[name] = _plan_summary(" ".join(str(row[-1]) for row in rows))
    return captured


def _plan_summary(plan: str) -> str:
    """Index names a plan uses, and any full table scan (which the tick must never need)."""
    indexes = re.findall(r"(?:USING (?:COVERING )?INDEX|Index (?:Only )?Scan using|Bitmap Index Scan on) (\w+)", plan)
    scans = re.findall(r"(?:Seq Scan on|^SCAN|\bSCAN) (\w+)", plan)
    parts = [f"index {name}" for name in dict.fromkeys(indexes)] + [f"FULL SCAN {t}" for t in dict.fromkeys(scans)]
    return ", ".join(parts) or "-"


@contextmanager
def database(backend: str) -> Iterator[Engine]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            engine = make_engine(f"sqlite:///{directory}/bench.db")
            try:
                yield engine
            finally:
                engine.dispose()
        return
    name = f"growthbot_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(PG_URL.rpartition("/")[0] + f"/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    print(f"{args.people:,} people, {3 * args.people:,} past prompts, nobody due; {args.runs} runs per query\n")
    print("| backend | query | median ms | worst ms | rows | plan |\n|---|---|---:|---:|---:|---|")
    for backend in backends:
        with database(backend) as engine:
            upgrade_to_head(engine)
            started = time.perf_counter()
            populate(engine, args.people)
            setup = time.perf_counter() - started
            timings = time_queries(engine, args.runs)
            query_plans = plans(engine)
            for name, (median, worst, found) in timings.items():
                print(f"| {backend} | `{name}` | {median:.2f} | {worst:.2f} | {found} | {query_plans[name]} |")
            print(f"<!-- {backend}: populated in {setup:.1f} s -->", file=sys.stderr)


if __name__ == "__main__":
    main()
