"""One whole tick when nobody is due, with 100,000 people, on SQLite and PostgreSQL.

`bench/tick_query.py` times each per-tick query on its own; this times what the scheduler actually runs
every minute on every instance: the prompt tick (`run_tick`: plan due schedules, claim due prompts,
claim due reminders) and the full `bot.scheduler.tick` (prompts, digests, consent requests), against
the same data (built by `tick_query.populate`: 100,000 people, 300,000 past prompts, manager links,
1:1s) and a fake Slack that should receive no call at all; then again once every person's latest
prompt has just been sent and waits for its reminder (still nothing due), and again with a year of
quarterly check-ins per person behind them (400,000 revealed and sent: what the check-in step's
lost-reveal sweep must not read every minute). Prints median and worst wall time and the number of
SQL statements per tick.

    .venv/bin/python bench/tick.py                        # both backends, 100,000 people
    .venv/bin/python bench/tick.py --backend sqlite --people 20000 --runs 50

Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tick_query import NOW, database, populate  # the shared data builder, next to this file

from bot import scheduler
from bot.delivery.tick import run_tick
from bot.deps import Deps
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack
from frameworks import LibraryHolder, load_library
from storage.db import make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import CheckIn
from storage.uow import UnitOfWorkFactory

QUIET = "nobody due"
PENDING = "+ every person's prompt sent, reminder pending"
CHECKINS = "+ a year of quarterly check-ins per person, revealed and sent"
STATES = (QUIET, PENDING, CHECKINS)
CHECKINS_PER_PERSON = 4


def pending_reminders(engine: Engine) -> None:
    """This week's prompt went to everyone an hour ago; each reminder is due in two days (still nobody
    due): the worst case for the reminder query, which must skip all of them."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE prompts SET state = 'sent', reminder_sent_at = NULL, next_attempt_at = :remind, "
                "sent_at = :sent, due_at = :sent, answered_at = NULL WHERE idempotency_key LIKE :week"
            ),
            {"remind": NOW + timedelta(days=2), "sent": NOW - timedelta(hours=1), "week": "%:w1"},
        )
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


def checkin_history(engine: Engine, people: int) -> None:
    """Four revealed, sent check-ins per person (last year's quarterly rounds): what the check-in
    step's lost-reveal sweep must not read every minute."""
    rows = []
    for pid in range(1, people + 1):
        for quarter in range(1, CHECKINS_PER_PERSON + 1):
            started = NOW - timedelta(weeks=13 * quarter)
            rows.append(
                {"person_id": pid, "origin": "schedule", "framework_id": "vio-execution", "framework_version": 1,
                 "behaviour_ids": [], "include_current": False, "state": "revealed", "created_at": started,
                 "deadline_at": started + timedelta(days=7), "revealed_at": started + timedelta(days=3),
                 "reveal_sent_at": started + timedelta(days=3)}
            )  # fmt: skip
    with engine.begin() as connection:
        for start in range(0, len(rows), 5_000):
            connection.execute(insert(CheckIn), rows[start : start + 5_000])
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


def _time(run: Callable[[], Any], engine: Engine, runs: int) -> tuple[float, float, int]:
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    timings = []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(runs):
            statements[0] = 0
            started = time.perf_counter()
            run()
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(timings), max(timings), statements[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    library = load_library()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{args.people:,} people, nobody due; {args.runs} ticks each; load average {load} at start\n")
    print("| backend | data | what | median ms | worst ms | SQL statements per tick | Slack calls |")
    print("|---|---|---|---:|---:|---:|---:|")
    with FakeSlack() as fake:
        for backend in backends:
            with database(backend) as engine:
                upgrade_to_head(engine)
                started = time.perf_counter()
                populate(engine, args.people)
                print(f"<!-- {backend}: populated in {time.perf_counter() - started:.1f} s -->", file=sys.stderr)
                settings = Settings(  # type: ignore[call-arg]
                    _env_file=None,
                    SLACK_BOT_TOKEN=fake.bot_token,
                    SLACK_API_URL=fake.api_url,
                    DATABASE_URL=str(engine.url),
                )
                deps = Deps(
                    settings=settings,
                    uow=UnitOfWorkFactory(make_session_factory(engine)),
                    ladders=LibraryHolder(library=library),
                    client=make_web_client(settings),
                    now=lambda: NOW,
                )
                cases: dict[str, Callable[[], Any]] = {
                    "prompt tick (`run_tick`)": lambda deps=deps: run_tick(deps, instance_id="bench"),
                    "whole tick (`bot.scheduler.tick`)": lambda deps=deps: scheduler.tick(deps),
                }
                for state in STATES:
                    if state == PENDING:
                        pending_reminders(engine)
                    if state == CHECKINS:
                        checkin_history(engine, args.people)
                    for name, case in cases.items():
                        case()  # warm caches and connections once
                        before = sum(fake.counts.values())
                        median, worst, statements = _time(case, engine, args.runs)
                        calls = sum(fake.counts.values()) - before
                        print(
                            f"| {backend} | {state} | {name} | {median:.1f} | {worst:.1f} | {statements} | {calls} |",
                            flush=True,
                        )


if __name__ == "__main__":
    main()
