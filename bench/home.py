"""How long a manager's App Home takes to build and publish, and how many SQL statements it runs.

A manager with 50 reports, each with a placement on the largest bundled ladder (attest-engineering),
two years of weekly prompts and evidence, a revealed check-in every quarter, a quick sign-off a week
and 2% of tags disputed (bench/digest.py's data set, with 50 reports instead of 15); every report is
also in this quarter's open check-in (started two days ago, half of them already self-rated), as on
the week a scheduled round starts. The Home lists at most `MAX_REPORTS` (20) reports, but reads the
whole team's open check-ins.

Timed, as a listener does it after a change (bot.listeners.surfaces.publish_home):

- "build": `home_for` (its own unit of work) + `home_view` + the JSON body slack_sdk sends
  (`view.to_dict()` serialised): the server time, without the network;
- "publish": `publish_home` through a real slack_sdk WebClient to the fake Slack on 127.0.0.1 (adds
  the HTTP round trip and the fake's own checks of the view, which real Slack does elsewhere).

Statements are counted with a `before_cursor_execute` listener for the manager of 50 reports and for
a manager of one report (four weeks of history), after the day's first Home (whose coverage audit
rows are written once a day per report) has been published.

    .venv/bin/python bench/home.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/home.py --backend sqlite --runs 50

PostgreSQL: GROWTHBOT_BENCH_PG_URL as for bench/digest.py. Target (printed, never asserted): under
200 ms of server time, a statement count independent of the number of reports.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from digest import FRAMEWORK_ID, LEVEL, NOW, populate  # bench/digest.py's data set
from tick_query import database

from bot.blocks.home import home_view
from bot.delivery.home import publish_home
from bot.deps import Deps
from bot.services.home import MAX_REPORTS, home_for
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack
from frameworks import Library, LibraryHolder, load_library
from frameworks.lookups import next_milestone
from storage.db import make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Assessment, CheckIn, CheckInOrigin, CheckInState, Person, Rater, Verdict
from storage.uow import UnitOfWorkFactory

REPORTS = 50
TEAM_ID = "TBENCH"


def open_checkins(engine: Engine, library: Library, person_ids: list[int], manager_of: dict[int, int]) -> int:
    """This quarter's open check-in for each person; every other one has already rated themself."""
    framework = library[FRAMEWORK_ID]
    milestone = next_milestone(framework, {area.id: LEVEL for area in framework.areas}).behaviours
    started = NOW - timedelta(days=2)
    with engine.begin() as connection:
        first = (connection.scalar(select(CheckIn.id).order_by(CheckIn.id.desc()).limit(1)) or 0) + 1
        rows = [
            {"id": first + n, "person_id": pid, "manager_id": manager_of[pid], "started_by_id": pid,
             "one_on_one_id": pid, "origin": CheckInOrigin.SCHEDULE.value, "idempotency_key": f"bench:open:{pid}",
             "framework_id": FRAMEWORK_ID, "framework_version": framework.version,
             "behaviour_ids": [b.id for b in milestone], "include_current": False,
             "state": CheckInState.OPEN.value, "created_at": started, "deadline_at": started + timedelta(days=7),
             "self_submitted_at": started + timedelta(days=1) if n % 2 == 0 else None}
            for n, pid in enumerate(person_ids)
        ]  # fmt: skip
        connection.execute(insert(CheckIn), rows)
        verdicts = [
            {"person_id": row["person_id"], "rater_id": row["person_id"], "rater": Rater.SELF.value,
             "checkin_id": row["id"], "framework_id": FRAMEWORK_ID, "framework_version": framework.version,
             "behaviour_id": b.id, "area_id": b.area_id, "level_id": b.level_id, "behaviour_text": b.text,
             "verdict": Verdict.SOMETIMES.value, "evidence_ids": [], "created_at": started + timedelta(days=1)}
            for row in rows if row["self_submitted_at"] is not None for b in milestone
        ]  # fmt: skip
        connection.execute(insert(Assessment), verdicts)
    return len(rows)


def timed(task: Callable[[], Any], runs: int) -> tuple[float, float, float]:
    """(median ms, p95 ms, median CPU ms of this process): on a shared machine the wall time mostly
    measures waiting for a core; the CPU time is the bot's own work (PostgreSQL's is in its server)."""
    task()  # warm caches (SQLAlchemy's compiled statements, the connection pool)
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        task()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.95))], statistics.median(cpu)


def statements_of(engine: Engine, task: Callable[[], Any]) -> int:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        task()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def measure(backend: str, fake: FakeSlack, library: Library, runs: int) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    with database(backend) as engine:
        upgrade_to_head(engine)
        started = time.perf_counter()
        sizes = populate(engine, library, reports=REPORTS)
        manager_of = {pid: sizes["manager"] for pid in range(2, REPORTS + 2)}
        manager_of[sizes["control"]] = sizes["control_manager"]
        opened = open_checkins(engine, library, sorted(manager_of), manager_of)
        setup = time.perf_counter() - started
        factory = UnitOfWorkFactory(make_session_factory(engine))
        with factory() as uow:
            manager = uow.session.get(Person, sizes["manager"])
            control = uow.session.get(Person, sizes["control_manager"])
            assert manager is not None and control is not None
            manager_user, control_user = manager.slack_user_id, control.slack_user_id
        for user_id in (manager_user, control_user):
            fake.add_user(user_id, user_id)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, SLACK_BOT_TOKEN=fake.bot_token, SLACK_API_URL=fake.api_url, DATABASE_URL=str(engine.url)
        )
        deps = Deps(
            settings=settings,
            uow=factory,
            ladders=LibraryHolder(library=library),
            client=make_web_client(settings),
            now=lambda: NOW,
        )

        def build(user_id: str) -> int:
            data = home_for(deps.uow, deps.library, TEAM_ID, user_id, deps.now())
            assert len(data.reports) == (MAX_REPORTS if user_id == manager_user else 1)
            body = json.dumps({"user_id": user_id, "view": home_view(data, deps.now()).to_dict()})
            return len(body)

        def publish(user_id: str) -> None:
            publish_home(deps.client, deps, TEAM_ID, user_id)

        for user_id in (manager_user, control_user):
            publish(user_id)  # the day's first Home writes its coverage audit rows
        tasks: tuple[tuple[str, Callable[[str], Any], int | None], ...] = (
            ("build (home_for + home_view + payload)", build, 200),
            ("publish (publish_home to the fake Slack)", publish, None),
        )
        for name, task, target in tasks:
            median, p95, cpu = timed(partial(task, manager_user), runs)
            many = statements_of(engine, partial(task, manager_user))
            one = statements_of(engine, partial(task, control_user))
            rows.append((backend, name, median, p95, cpu, target, many, one))
        view = fake.views_published[manager_user]
        print(
            f"<!-- {backend}: {sizes['evidence']:,} evidence items, {sizes['verdicts']:,} verdicts, "
            f"{sizes['checkins'] + opened:,} check-ins ({opened} open), populated in {setup:.1f} s; "
            f"the published Home has {len(view['blocks'])} blocks, {build(manager_user):,} bytes -->",
            file=sys.stderr,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=30, help="timed Homes of each kind (default 30)")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    library = load_library()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    with FakeSlack() as fake:
        rows = [row for backend in backends for row in measure(backend, fake, library, args.runs)]
    print(
        f"A manager of {REPORTS} reports (the Home lists {MAX_REPORTS}), each with two years of evidence, quarterly "
        f"check-ins and this quarter's open; ladder {FRAMEWORK_ID}; {args.runs} timed runs each; "
        f"load average {load} at start\n"
    )
    print(
        "| backend | Home | median ms | p95 ms | CPU ms (bot process) | target ms "
        "| SQL statements (50 reports) | SQL statements (1 report) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for backend, name, median, p95, cpu, target, many, one in rows:
        goal = f"< {target}" if target else "-"
        print(f"| {backend} | {name} | {median:.1f} | {p95:.1f} | {cpu:.1f} | {goal} | {many} | {one} |")


if __name__ == "__main__":
    main()
