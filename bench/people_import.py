"""How long `growthbot people import` takes for a large org file, and how many SQL statements it runs.

Builds an org CSV of N people on the `flow` ladder, each managed by someone ten rows up (a tree 5
levels deep), and imports it through the real service (bot.services.people_import) in two cases:
into an empty workspace (a first import: everyone added, placed, given a prompt slot and asked to accept
their manager), and into a workspace whose database already holds what the file says (written in bulk
here): the daily sync, "0 changes". Each run is timed in its two phases, planning (every row checked
against the database) and applying (only the differences written), and the statements sent are counted.

    .venv/bin/python bench/people_import.py                         # 20,000 and 100,000 rows, both databases
    .venv/bin/python bench/people_import.py --rows 20000 --backend postgres

PostgreSQL: GROWTHBOT_BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test) names
a server where a throwaway database is created and dropped. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tick_query import database  # a throwaway SQLite file or PostgreSQL database, next to this file

from bot.services.people_import.applying import apply_import
from bot.services.people_import.planning import ImportDefaults, plan_import
from bot.services.people_import.reading import parse_csv
from frameworks import load_library
from storage.db import make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Cadence, ManagerLink, ManagerLinkStatus, Person, Placement, PromptSchedule, Workspace
from storage.uow import UnitOfWorkFactory

NOW = datetime(2025, 3, 3, 7, 0)
DEFAULTS = ImportDefaults(weekday=0, local_time=clock_time(10, 0), timezone="UTC")
ZONES = ("Europe/Paris", "Asia/Kolkata", "America/New_York", "UTC")


def org_csv(rows: int) -> str:
    lines = ["slack_user_id,name,manager,framework,level,timezone,prompt_weekday,prompt_time"]
    for i in range(1, rows + 1):
        manager = f"U{i // 10:09d}" if i >= 10 else ""
        level = f"P{1 + i % 4}"
        lines.append(f"U{i:09d},Person {i},{manager},flow,{level},{ZONES[i % 4]},{('monday', 'tuesday')[i % 2]},10:00")
    return "\n".join(lines) + "\n"


class Counter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, *_: Any) -> None:
        self.count += 1


def populate(engine: Engine, rows: int) -> None:
    """The database the file describes, written in bulk (a first import of 100,000 rows is not what is timed)."""
    with engine.begin() as connection:
        connection.execute(insert(Workspace), [{"id": 1, "team_id": "TBENCH", "created_at": NOW}])
        people = [
            {
                "id": i,
                "workspace_id": 1,
                "slack_user_id": f"U{i:09d}",
                "display_name": f"Person {i}",  # storage.models.shown_name of the imported name alone
                "imported_name": f"Person {i}",
                "tz": ZONES[i % 4],
                "active": True,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i in range(1, rows + 1)
        ]
        placements = [
            {"person_id": i, "framework_id": "flow", "levels": {"flow": f"P{1 + i % 4}"}, "started_at": NOW}
            for i in range(1, rows + 1)
        ]
        schedules = [
            {
                "person_id": i,
                "weekday": i % 2,
                "local_time": clock_time(10, 0),
                "cadence": Cadence.WEEKLY,
                "paused": False,
                "next_due_at": NOW + timedelta(days=1),
                "updated_at": NOW,
            }
            for i in range(1, rows + 1)
        ]
        links = [
            {"person_id": i, "manager_id": i // 10, "status": ManagerLinkStatus.ACTIVE, "created_at": NOW}
            for i in range(10, rows + 1)
        ]
        for model, values in (
            (Person, people),
            (Placement, placements),
            (PromptSchedule, schedules),
            (ManagerLink, links),
        ):
            for start in range(0, len(values), 5_000):
                connection.execute(insert(model), values[start : start + 5_000])


CASES = ("into an empty workspace", "into the workspace it describes")


def run(backend: str, rows: int, case: str) -> tuple[float, float, int, int]:
    library = load_library()
    org = parse_csv(org_csv(rows), "bench.csv")
    with database(backend) as engine:
        upgrade_to_head(engine)
        uows = UnitOfWorkFactory(make_session_factory(engine))
        if case == CASES[0]:
            with uows() as uow:
                uow.workspaces.get_or_create("TBENCH")
        else:
            populate(engine, rows)
        counter = Counter(engine)
        with uows() as uow:
            started = time.perf_counter()
            plan = plan_import(uow, org, team_id="TBENCH", library=library, directory=None, defaults=DEFAULTS)
            planned = time.perf_counter()
            report = apply_import(uow, plan, NOW)
            applied = time.perf_counter()
        return planned - started, applied - planned, counter.count, report.change_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    print("| rows | backend | import | plan s | apply s | total s | statements | changes |")
    print("|---:|---|---|---:|---:|---:|---:|---:|")
    for rows in args.rows:
        for backend in backends:
            for case in CASES:
                plan_s, apply_s, statements, changes = run(backend, rows, case)
                timing = f"{plan_s:.2f} | {apply_s:.2f} | {plan_s + apply_s:.2f} | {statements:,} | {changes:,}"
                print(f"| {rows:,} | {backend} | {case} | {timing} |", flush=True)


if __name__ == "__main__":
    main()
