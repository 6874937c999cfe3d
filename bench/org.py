"""A digest, `/ladder next` and the App Home in an organisation of 5,000 people with two years of evidence.

5,000 people in one workspace, one manager per eight (each with a weekly 1:1 with each of their seven
reports), placed on the bundled ladders (most on attest-engineering, 291 behaviours; some on flow,
whose milestones are a few behaviours: the case where a ladder-wide index looked cheapest), each with
300 evidence items over two years (1.5M items, about 2M behaviour tags, 1% deleted, 2% of tags
disputed). No prompts, check-ins or verdicts: this bench is about the evidence tables.

Timed through the services, not Slack, for people picked at random:

- "digest": `build_digest` of a report's last week + its Block Kit (what the tick does per 1:1);
- "/ladder next": `my_standing` + `next_blocks` (the answer computed, before the reply is sent);
- "Home (engineer)" and "Home (manager)": `home_for` + `home_view` + the JSON body; "opened" as when the
  manager opens the tab (`opened=True`: an access-log entry per report shown, committed).

Each with the planner statistics a deployment can have: "empty-db" (what `growthbot db upgrade`
followed by an ANALYZE left: nothing on the evidence tables; SQLite also gets this from an install
that started the bot before anyone saved evidence), "none" (never analysed) and "fresh" (the bounded
ANALYZE `growthbot run` does at start and the tick repeats every few hours; PostgreSQL: ANALYZE, as
autovacuum does).

    .venv/bin/python bench/org.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/org.py --backend sqlite --runs 50
    .venv/bin/python bench/org.py --rebuild            # build the organisation again

The organisation is built once (a minute or two) and kept (a cache of an older schema is migrated,
then vacuumed on PostgreSQL): SQLite in bench/.cache/org.db, PostgreSQL
in the database growthbot_bench_org on the server of GROWTHBOT_BENCH_PG_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test; autovacuum is off on its evidence tables so that
the statistics stay as this bench sets them). Targets (printed, never asserted): digest < 100 ms,
`/ladder next` < 20 ms, Home < 50 ms, with every kind of statistics.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.blocks.digest import digest_messages
from bot.blocks.home import home_view
from bot.blocks.lookup import next_blocks
from bot.services.digests import build_digest
from bot.services.home import home_for
from bot.services.lookup import filter_areas, my_standing
from frameworks import Framework, Library, load_library
from frameworks.lookups import next_milestone
from storage.db import make_engine, make_session_factory
from storage.migrate import head_revision, upgrade_to_head
from storage.models import Cadence, ManagerLink, ManagerLinkStatus, OneOnOne, Person, Placement, Workspace
from storage.statistics import refresh_statistics
from storage.uow import UnitOfWorkFactory

PEOPLE = 5_000
TEAM_SIZE = 8  # a manager and seven reports
ITEMS_EACH = 300  # about three a week for two years
WEEKS = 104
LADDERS = ("attest-engineering",) * 6 + ("flow", "vio-execution", "luko-execution")
NOW = datetime(2025, 3, 3, 8, 0)
TEAM_ID = "TORG"
CHUNK = 250  # people generated and inserted at a time
PG_URL = os.environ.get("GROWTHBOT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DATABASE = "growthbot_bench_org"
SQLITE_FILE = Path(__file__).resolve().parent / ".cache" / "org.db"
EVIDENCE_TABLES = ("evidence", "evidence_tags")
EVIDENCE_COLUMNS = ("id", "person_id", "text", "source", "to_discuss", "created_at", "deleted_at")
TAG_COLUMNS = (
    "id", "evidence_id", "person_id", "framework_id", "framework_version", "behaviour_id", "area_id", "level_id",
    "behaviour_text", "created_at", "item_at", "disputed_at", "disputed_by_id", "dispute_comment",
)  # fmt: skip
STATES = ("empty-db", "none", "fresh")


def manager_of(person_id: int) -> int | None:
    first = (person_id - 1) // TEAM_SIZE * TEAM_SIZE + 1
    return None if person_id == first else first


def _placement(rng: random.Random, library: Library, person_id: int) -> tuple[Framework, dict[str, str]]:
    framework = library[LADDERS[person_id % len(LADDERS)]]
    level = rng.choice(framework.levels[:-1]).id
    return framework, {area.id: level for area in framework.areas}


def _bulk(connection: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Rows straight to the driver: executemany on SQLite, COPY on PostgreSQL."""
    raw = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        raw.cursor().executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        return
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _stamp(engine: Engine) -> Callable[[datetime | None], Any]:
    if engine.dialect.name == "sqlite":  # the text SQLAlchemy stores a DateTime as
        return lambda at: None if at is None else at.strftime("%Y-%m-%d %H:%M:%S.%f")
    return lambda at: at


def populate(engine: Engine, library: Library, seed: int = 5) -> dict[str, int]:
    rng = random.Random(seed)
    stamp = _stamp(engine)
    flag = (lambda value: int(value)) if engine.dialect.name == "sqlite" else (lambda value: value)
    people, placements, links, meetings = [], [], [], []
    pools: dict[int, list[Any]] = {}
    for pid in range(1, PEOPLE + 1):
        people.append(
            {"id": pid, "workspace_id": 1, "slack_user_id": f"U{pid:06d}", "display_name": f"Person {pid}",
             "tz": "UTC", "active": True, "created_at": NOW, "updated_at": NOW}
        )  # fmt: skip
        framework, levels = _placement(rng, library, pid)
        placements.append(
            {"person_id": pid, "framework_id": framework.id, "levels": levels, "reason": "bench",
             "started_at": NOW - timedelta(weeks=WEEKS + 1)}
        )  # fmt: skip
        milestone = list(next_milestone(framework, levels).behaviours)
        current = [b for area in framework.areas if (cell := area.cell(levels[area.id])) for b in cell.behaviours]
        pools[pid] = milestone * 3 + current or list(framework.behaviours)
        manager = manager_of(pid)
        if manager is not None:
            links.append(
                {"person_id": pid, "manager_id": manager, "status": ManagerLinkStatus.ACTIVE.value,
                 "created_at": NOW - timedelta(weeks=WEEKS + 1), "notified_at": NOW - timedelta(weeks=WEEKS + 1)}
            )  # fmt: skip
            meetings.append(
                {"manager_id": manager, "report_id": pid, "cadence": Cadence.WEEKLY.value, "weekday": 0,
                 "local_time": clock_time(10, 0), "digest_lead_minutes": 120, "active": True,
                 "next_at": NOW + timedelta(hours=2), "next_digest_at": NOW, "created_at": NOW - timedelta(weeks=WEEKS)}
            )  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(Workspace), [{"id": 1, "team_id": TEAM_ID, "created_at": NOW}])
        for model, rows in ((Person, people), (Placement, placements), (ManagerLink, links), (OneOnOne, meetings)):
            for start in range(0, len(rows), 5_000):
                connection.execute(insert(model), rows[start : start + 5_000])
    evidence_id = tag_id = 0
    for first in range(1, PEOPLE + 1, CHUNK):
        evidence: list[tuple[Any, ...]] = []
        tags: list[tuple[Any, ...]] = []
        for pid in range(first, min(first + CHUNK, PEOPLE + 1)):
            framework = library[LADDERS[pid % len(LADDERS)]]
            for item in range(ITEMS_EACH):
                evidence_id += 1
                at = NOW - timedelta(minutes=rng.randrange(WEEKS * 7 * 24 * 60))
                deleted = at + timedelta(days=1) if rng.random() < 0.01 else None
                evidence.append(
                    (evidence_id, pid, f"Item {item}: shipped a useful thing with a clear outcome", "modal",
                     flag(rng.random() < 0.01), stamp(at), stamp(deleted))
                )  # fmt: skip
                for behaviour in {b.id: b for b in rng.sample(pools[pid], rng.choice((1, 1, 2)))}.values():
                    tag_id += 1
                    disputed = rng.random() < 0.02
                    tags.append(
                        (tag_id, evidence_id, pid, framework.id, framework.version, behaviour.id, behaviour.area_id,
                         behaviour.level_id, behaviour.text, stamp(at), None if deleted else stamp(at),
                         stamp(at + timedelta(days=2)) if disputed else None, manager_of(pid) if disputed else None,
                         "Not this one" if disputed else None)
                    )  # fmt: skip
        with engine.begin() as connection:
            _bulk(connection, "evidence", EVIDENCE_COLUMNS, evidence)
            _bulk(connection, "evidence_tags", TAG_COLUMNS, tags)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in ("people", "placements", "manager_links", "one_on_ones", "evidence", "evidence_tags"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
    return {"evidence": evidence_id, "tags": tag_id}


def _built(engine: Engine) -> tuple[dict[str, int], str] | None:
    """The cached organisation's size and schema revision, or None when it has to be built."""
    try:
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            people = connection.execute(text("SELECT count(*) FROM people")).scalar()
            evidence = connection.execute(text("SELECT max(id) FROM evidence")).scalar()
            tags = connection.execute(text("SELECT max(id) FROM evidence_tags")).scalar()
    except Exception:  # no tables yet, or an older schema
        return None
    if revision is None or people != PEOPLE or evidence != PEOPLE * ITEMS_EACH:
        return None
    return {"evidence": evidence, "tags": tags}, revision


def open_database(backend: str, rebuild: bool) -> Engine:
    if backend == "sqlite":
        SQLITE_FILE.parent.mkdir(exist_ok=True)
        if rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        return make_engine(f"sqlite:///{SQLITE_FILE}")
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_DATABASE}).scalar()
        if rebuild and exists:
            connection.execute(text(f'DROP DATABASE "{PG_DATABASE}" WITH (FORCE)'))
        if rebuild or not exists:
            connection.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    admin.dispose()
    return make_engine(PG_URL.rpartition("/")[0] + f"/{PG_DATABASE}")


def build(engine: Engine, library: Library) -> tuple[dict[str, int], str]:
    """The organisation's size and how it was had: cached, migrated to the head revision, or built."""
    started = time.perf_counter()
    built = _built(engine)
    if built is not None and built[1] == head_revision():
        return built[0], "cached"
    if built is not None:  # an older schema: the migrations bring it up, backfills included
        try:
            upgrade_to_head(engine)
            if engine.dialect.name == "postgresql":  # what autovacuum (off on these tables) does after a backfill
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.exec_driver_sql(f"VACUUM {', '.join(EVIDENCE_TABLES)}")
            return built[0], f"migrated from {built[1]} in {time.perf_counter() - started:.0f} s"
        except Exception as error:  # e.g. a revision this checkout does not know
            print(f"<!-- migrating the cached organisation failed ({error}); building it again -->", file=sys.stderr)
    if engine.dialect.name == "sqlite":
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    upgrade_to_head(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in EVIDENCE_TABLES:
                connection.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    sizes = populate(engine, library)
    return sizes, f"built in {time.perf_counter() - started:.0f} s"


def set_statistics(engine: Engine, state: str) -> None:
    """The planner statistics of `state` (STATES). Superuser on PostgreSQL, as the bench server is."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        if sqlite:
            connection.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
            connection.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat4")
            if state == "empty-db":  # an ANALYZE of the empty schema records only alembic_version
                connection.exec_driver_sql("ANALYZE alembic_version")
        else:
            tables = connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).scalars().all()  # fmt: skip
            for table in tables:
                oid = {"table": table}
                connection.execute(text("DELETE FROM pg_statistic WHERE starelid = CAST(:table AS regclass)"), oid)
                never = -1 if state == "none" else 0  # an ANALYZE of an empty table records 0 rows
                connection.execute(
                    text("UPDATE pg_class SET reltuples = :rows, relpages = 0 WHERE oid = CAST(:table AS regclass)"),
                    oid | {"rows": never},
                )
    if state == "fresh":
        if sqlite:
            refresh_statistics(engine)  # as `growthbot run` at start and the tick every few hours
        else:
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")  # as autovacuum does
    engine.dispose()  # SQLite reads its statistics when a connection opens


def timed(task: Callable[[int], Any], subjects: list[int], runs: int) -> tuple[float, float, float, float]:
    """(median, p95, fastest) wall-clock ms and the median CPU ms of this process (on SQLite the query work
    too; on PostgreSQL the server's is not in it). The fastest run and CPU time say what a read costs on a
    busy machine, where wall-clock medians also count the time spent waiting for a core."""
    task(subjects[-1])  # warm the compiled-statement caches
    timings, cpu = [], []
    for run in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        task(subjects[run % len(subjects)])
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return statistics.median(timings), p95, timings[0], statistics.median(cpu)


def tasks(factory: UnitOfWorkFactory, library: Library) -> dict[str, tuple[Callable[[int], Any], bool, int]]:
    """name -> (task of a person id, for managers (else reports), target ms)."""

    def digest(report_id: int) -> int:
        with factory() as uow:
            report, manager = uow.people.get(report_id), uow.people.get(manager_of(report_id) or 0)
            assert report is not None and manager is not None
            content = build_digest(uow, library, (manager, report), NOW - timedelta(weeks=1), NOW)
            return len(digest_messages(content, "manager"))

    def ladder_next(person_id: int) -> int:
        standing = my_standing(factory, library, TEAM_ID, f"U{person_id:06d}")
        assert standing is not None
        return len(next_blocks(standing, filter_areas(standing, "")))

    def home(person_id: int) -> int:
        data = home_for(factory, library, TEAM_ID, f"U{person_id:06d}", NOW)
        return len(json.dumps(home_view(data, NOW).to_dict()))

    def home_opened(person_id: int) -> int:  # app_home_opened: every report shown is audited
        data = home_for(factory, library, TEAM_ID, f"U{person_id:06d}", NOW, opened=True)
        return len(json.dumps(home_view(data, NOW).to_dict()))

    return {
        "digest (build + blocks)": (digest, False, 100),
        "/ladder next (standing + blocks)": (ladder_next, False, 20),
        "Home, engineer (build + view)": (home, False, 50),
        "Home, manager of 7 (build + view)": (home, True, 50),
        "Home, manager of 7, opened (+ 7 access-log rows)": (home_opened, True, 50),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each read per statistics state")
    parser.add_argument("--rebuild", action="store_true", help="build the organisation again")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    library = load_library()
    rng = random.Random(7)
    managers = rng.sample(range(1, PEOPLE + 1, TEAM_SIZE), min(20, PEOPLE // TEAM_SIZE))
    reports = [m + rng.randrange(1, TEAM_SIZE) for m in managers]
    rows: list[tuple[Any, ...]] = []
    for backend in backends:
        engine = open_database(backend, args.rebuild)
        sizes, note = build(engine, library)
        print(
            f"<!-- {backend}: {sizes['evidence']:,} evidence items, {sizes['tags']:,} tags, {note} -->", file=sys.stderr
        )
        factory = UnitOfWorkFactory(make_session_factory(engine))
        for state in STATES:
            set_statistics(engine, state)
            for name, (task, for_managers, target) in tasks(factory, library).items():
                subjects = managers if for_managers else reports
                rows.append((backend, state, name, *timed(task, subjects, args.runs), target))
        engine.dispose()
    print(
        f"{PEOPLE:,} people (teams of {TEAM_SIZE}), {ITEMS_EACH} evidence items each over {WEEKS} weeks "
        f"({PEOPLE * ITEMS_EACH:,} items); {args.runs} timed runs per row, 20 people picked at random\n"
    )
    print("| backend | statistics | read | median ms | p95 ms | fastest ms | CPU ms (this process) | target ms |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for backend, state, name, median, p95, fastest, cpu, target in rows:
        print(f"| {backend} | {state} | {name} | {median:.1f} | {p95:.1f} | {fastest:.1f} | {cpu:.1f} | < {target} |")


if __name__ == "__main__":
    main()
