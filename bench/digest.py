"""How long one pre-1:1 digest and one promotion packet take to build, and how many SQL statements each runs.

A manager with 15 reports, each with two years of weekly prompts (104) and three evidence items a week
(312, each tagged with one or two behaviours, 2% of tags disputed), a revealed check-in every quarter
(self and manager verdicts on every next-milestone behaviour) and a quick sign-off a week, on the
largest bundled ladder (attest-engineering, 291
behaviours). Built through the real migrations, then timed: `build_digest` + its Block Kit (what the
tick does per 1:1), and `build_packet` + its Markdown (what `/ladder export` does). Statements are
counted with a SQLAlchemy `before_cursor_execute` listener, for a report with two years of history and
for one with four weeks, to show the count does not grow with the evidence.

    .venv/bin/python bench/digest.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/digest.py --backend sqlite --runs 50

PostgreSQL: GROWTHBOT_BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test) names a
server where a throwaway database is created and dropped. Targets (printed, never asserted): under
100 ms per digest, under 500 ms per packet, statement count independent of the amount of evidence.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tick_query import database  # a throwaway SQLite file or PostgreSQL database, next to this file

from bot.blocks.digest import digest_messages
from bot.services.digests import build_digest
from bot.services.packet import build_packet
from bot.services.packet_render import render_markdown
from frameworks import Library, load_library
from frameworks.lookups import next_milestone
from storage.db import make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import (
    Assessment,
    Cadence,
    CheckIn,
    CheckInOrigin,
    CheckInState,
    Digest,
    DigestState,
    Evidence,
    EvidenceSource,
    EvidenceTag,
    ManagerLink,
    ManagerLinkStatus,
    OneOnOne,
    Person,
    Placement,
    Prompt,
    PromptState,
    Rater,
    Verdict,
    Workspace,
)
from storage.statistics import refresh_statistics
from storage.uow import UnitOfWorkFactory

FRAMEWORK_ID = "attest-engineering"
LEVEL = "II"
REPORTS = 15
WEEKS = 104
ITEMS_PER_WEEK = 3
CHECKIN_EVERY_WEEKS = 13  # a check-in every quarter: both sides rate every next-milestone behaviour
SIGN_OFFS_PER_WEEK = 1  # a quick sign-off from the digest, outside any check-in
DISPUTED_SHARE = 0.02
NOW = datetime(2025, 3, 3, 8, 0)  # a Monday; each report's 1:1 is at 10:00 UTC
BATCH = 5_000


def _insert(connection: Any, model: type, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(model), rows[start : start + BATCH])


def populate(engine: Engine, library: Library, seed: int = 11, reports: int = REPORTS) -> dict[str, int]:
    """The manager (person 1), `reports` reports with two years each (2..reports+1), and a control report
    (reports+2) with four weeks, managed by person reports+3. Returns person ids by role."""
    rng = random.Random(seed)
    framework = library[FRAMEWORK_ID]
    levels = {area.id: LEVEL for area in framework.areas}
    milestone = next_milestone(framework, levels).behaviours
    current = [b for area in framework.areas if (cell := area.cell(LEVEL)) for b in cell.behaviours]
    pool = list(milestone) * 3 + current  # most evidence shows next-milestone behaviours
    control_id, control_manager_id = reports + 2, reports + 3
    history = {pid: WEEKS for pid in range(2, reports + 2)} | {control_id: 4}
    people, placements, links, meetings, prompts, evidence, tags, digests = [], [], [], [], [], [], [], []
    checkins: list[dict[str, Any]] = []
    verdicts: list[dict[str, Any]] = []
    for pid in range(1, control_manager_id + 1):
        people.append(
            {"id": pid, "workspace_id": 1, "slack_user_id": f"U{pid:06d}", "display_name": f"Person {pid}",
             "tz": "UTC", "active": True, "created_at": NOW, "updated_at": NOW}
        )  # fmt: skip
    evidence_id = tag_id = 0

    def verdict(pid: int, rater_id: int, role: Rater, behaviour: Any, at: datetime, checkin_id: int | None) -> None:
        verdicts.append(
            {"id": len(verdicts) + 1, "person_id": pid, "rater_id": rater_id, "rater": role.value,
             "checkin_id": checkin_id, "framework_id": FRAMEWORK_ID, "framework_version": framework.version,
             "behaviour_id": behaviour.id, "area_id": behaviour.area_id, "level_id": behaviour.level_id,
             "behaviour_text": behaviour.text, "verdict": rng.choice(list(Verdict)).value,
             "comment": "Seen it in the last review" if rng.random() < 0.3 else None,
             "evidence_ids": [], "created_at": at}
        )  # fmt: skip

    for pid, weeks in history.items():
        manager_id = control_manager_id if pid == control_id else 1
        for week in range(weeks, 0, -CHECKIN_EVERY_WEEKS):
            started = NOW - timedelta(weeks=week)
            checkins.append(
                {"id": len(checkins) + 1, "person_id": pid, "manager_id": manager_id, "started_by_id": pid,
                 "one_on_one_id": pid, "origin": CheckInOrigin.SCHEDULE.value,
                 "idempotency_key": f"bench:{pid}:{week}", "framework_id": FRAMEWORK_ID,
                 "framework_version": framework.version, "behaviour_ids": [b.id for b in milestone],
                 "include_current": False, "state": CheckInState.REVEALED.value, "created_at": started,
                 "deadline_at": started + timedelta(days=7), "self_submitted_at": started + timedelta(days=2),
                 "manager_submitted_at": started + timedelta(days=3), "revealed_at": started + timedelta(days=3),
                 "reveal_sent_at": started + timedelta(days=3)}
            )  # fmt: skip
            for behaviour in milestone:
                verdict(pid, pid, Rater.SELF, behaviour, started + timedelta(days=2), len(checkins))
                verdict(pid, manager_id, Rater.MANAGER, behaviour, started + timedelta(days=3), len(checkins))
        for week in range(weeks, 0, -1):
            for _ in range(SIGN_OFFS_PER_WEEK):
                at = NOW - timedelta(weeks=week) + timedelta(hours=1)
                verdict(pid, manager_id, Rater.MANAGER, rng.choice(milestone), at, None)
        placements.append(
            {"person_id": pid, "framework_id": FRAMEWORK_ID, "levels": levels, "reason": "bench",
             "started_at": NOW - timedelta(weeks=weeks + 1)}
        )  # fmt: skip
        links.append(
            {"person_id": pid, "manager_id": manager_id, "status": ManagerLinkStatus.ACTIVE.value,
             "created_at": NOW - timedelta(weeks=weeks + 1), "notified_at": NOW - timedelta(weeks=weeks + 1)}
        )  # fmt: skip
        meetings.append(
            {"id": pid, "manager_id": manager_id, "report_id": pid, "cadence": Cadence.WEEKLY.value, "weekday": 0,
             "local_time": clock_time(10, 0), "digest_lead_minutes": 120, "active": True,
             "next_at": NOW + timedelta(hours=2), "next_digest_at": NOW, "created_at": NOW - timedelta(weeks=weeks)}
        )  # fmt: skip
        for week in range(weeks, 0, -1):
            monday = NOW - timedelta(weeks=week)
            answered = rng.random() < 0.7
            prompts.append(
                {"person_id": pid, "idempotency_key": f"{pid}:{monday.date()}", "framework_id": FRAMEWORK_ID,
                 "behaviour_ids": [rng.choice(milestone).id], "due_at": monday, "sent_at": monday,
                 "state": (PromptState.ANSWERED if answered else PromptState.EXPIRED).value,
                 "answered_at": monday + timedelta(hours=3) if answered else None, "attempts": 1,
                 "created_at": monday}
            )  # fmt: skip
            digests.append(
                {"one_on_one_id": pid, "period_key": (monday + timedelta(hours=2)).isoformat(),
                 "period_start": monday - timedelta(weeks=1) + timedelta(hours=2),
                 "period_end": monday + timedelta(hours=2), "due_at": monday, "state": DigestState.SENT.value,
                 "attempts": 1, "sent_at": monday, "channel_id": f"D{manager_id}", "message_ts": [f"{week}.0"],
                 "coverage": {a.id: {"covered": min(week, 3), "total": 4} for a in framework.areas}}
            )  # fmt: skip
            for item in range(ITEMS_PER_WEEK):
                evidence_id += 1
                at = monday + timedelta(days=item * 2, hours=rng.randint(1, 8))
                evidence.append(
                    {"id": evidence_id, "person_id": pid, "source": EvidenceSource.MODAL.value,
                     "text": f"Week {week} item {item}: " + "did a useful thing, clear outcome " * rng.randint(1, 6),
                     "link": f"https://bench.slack.com/archives/C1/p{evidence_id}" if item == 0 else None,
                     "to_discuss": rng.random() < 0.01, "created_at": at}
                )  # fmt: skip
                for behaviour in rng.sample(pool, rng.choice((1, 1, 2))):
                    if any(t["evidence_id"] == evidence_id and t["behaviour_id"] == behaviour.id for t in tags[-2:]):
                        continue
                    tag_id += 1
                    tags.append(
                        {"id": tag_id, "evidence_id": evidence_id, "person_id": pid, "framework_id": FRAMEWORK_ID,
                         "framework_version": framework.version, "behaviour_id": behaviour.id,
                         "area_id": behaviour.area_id, "level_id": behaviour.level_id,
                         "behaviour_text": behaviour.text, "created_at": at, "item_at": at}
                        | ({"disputed_at": at + timedelta(days=1), "disputed_by_id": manager_id,
                            "dispute_comment": "Not quite this one"} if rng.random() < DISPUTED_SHARE else {})
                    )  # fmt: skip
    with engine.begin() as connection:
        _insert(connection, Workspace, [{"id": 1, "team_id": "TBENCH", "created_at": NOW}])
        _insert(connection, Person, people)
        _insert(connection, Placement, placements)
        _insert(connection, ManagerLink, links)
        _insert(connection, OneOnOne, meetings)
        _insert(connection, Prompt, prompts)
        _insert(connection, Digest, digests)
        _insert(connection, Evidence, evidence)
        _insert(connection, EvidenceTag, [{"disputed_at": None, "disputed_by_id": None,
                                            "dispute_comment": None} | tag for tag in tags])  # fmt: skip
        _insert(connection, CheckIn, checkins)
        _insert(connection, Assessment, verdicts)
        if engine.dialect.name == "postgresql":
            for table in ("people", "evidence", "evidence_tags", "one_on_ones", "checkins", "assessments"):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
            connection.execute(text("ANALYZE"))
    refresh_statistics(engine)  # as `growthbot run` and `serve` do when they start
    return {"manager": 1, "report": 2, "control": control_id, "control_manager": control_manager_id,
            "evidence": evidence_id, "tags": tag_id,
            "prompts": len(prompts), "checkins": len(checkins), "verdicts": len(verdicts)}  # fmt: skip


def digest_once(uow_factory: UnitOfWorkFactory, library: Library, report_id: int) -> int:
    with uow_factory() as uow:
        one_on_one = uow.one_on_ones.get(report_id)
        assert one_on_one is not None and one_on_one.next_at is not None
        last = uow.digests.last_sent_for(one_on_one.id)
        assert last is not None
        content = build_digest(uow, library, one_on_one, last.period_end, one_on_one.next_at, last.coverage)
        assert content.readiness and content.manager_verdicts  # the judgement is in it
        messages = digest_messages(content, "manager")
        return content.new_evidence_count + len(messages)


def packet_once(uow_factory: UnitOfWorkFactory, library: Library, report_id: int) -> int:
    with uow_factory() as uow:
        person = uow.people.get(report_id)
        assert person is not None
        packet = build_packet(uow, library, person, now=NOW)
        return len(render_markdown(packet))


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def measure(engine: Engine, task: Callable[[int], int], report_ids: list[int], runs: int) -> tuple[float, float]:
    task(report_ids[0])  # warm caches (the library's, SQLAlchemy's compiled statements)
    timings = []
    for run in range(runs):
        started = time.perf_counter()
        task(report_ids[run % len(report_ids)])
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.95))]


def statements_for(engine: Engine, task: Callable[[int], int], report_id: int) -> int:
    with counting(engine) as statements:
        task(report_id)
    return len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=30, help="timed builds of each kind (default 30)")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    library = load_library()
    reports = list(range(2, REPORTS + 2))
    rows = []
    for backend in backends:
        with database(backend) as engine:
            upgrade_to_head(engine)
            started = time.perf_counter()
            sizes = populate(engine, library)
            setup = time.perf_counter() - started
            uow_factory = UnitOfWorkFactory(make_session_factory(engine))

            def digest(report_id: int, factory: UnitOfWorkFactory = uow_factory) -> int:
                return digest_once(factory, library, report_id)

            def packet(report_id: int, factory: UnitOfWorkFactory = uow_factory) -> int:
                return packet_once(factory, library, report_id)

            for name, task, target in (
                ("digest (build + blocks)", digest, 100),
                ("packet (build + Markdown)", packet, 500),
            ):
                median, p95 = measure(engine, task, reports, args.runs)
                full = statements_for(engine, task, sizes["report"])
                small = statements_for(engine, task, sizes["control"])
                rows.append((backend, name, median, p95, target, full, small))
            started = time.perf_counter()
            for report_id in reports:
                digest(report_id)
            all_digests = (time.perf_counter() - started) * 1000
            print(
                f"<!-- {backend}: {sizes['evidence']:,} evidence items, {sizes['tags']:,} tags, "
                f"{sizes['prompts']:,} prompts, {sizes['checkins']:,} check-ins, {sizes['verdicts']:,} verdicts, "
                f"populated in {setup:.1f} s; all 15 digests in a row: "
                f"{all_digests:.0f} ms -->",
                file=sys.stderr,
            )
    print(
        f"{REPORTS} reports x {WEEKS} weeks: {WEEKS} prompts and {WEEKS * ITEMS_PER_WEEK} evidence items each, "
        f"a check-in every {CHECKIN_EVERY_WEEKS} weeks (self and manager on every next-milestone behaviour) and "
        f"{SIGN_OFFS_PER_WEEK} quick sign-off a week, {DISPUTED_SHARE:.0%} of tags disputed; "
        f"ladder {FRAMEWORK_ID} ({library[FRAMEWORK_ID].behaviour_count} behaviours); {args.runs} timed runs each\n"
    )
    print("| backend | build | median ms | p95 ms | target ms | SQL statements (2 years) | SQL statements (4 weeks) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for backend, name, median, p95, target, full, small in rows:
        print(f"| {backend} | {name} | {median:.1f} | {p95:.1f} | < {target} | {full} | {small} |")


if __name__ == "__main__":
    main()
