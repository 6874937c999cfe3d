"""How long an engineer's access log takes to build when they have 10,000 audit entries.

One engineer, read 10,000 times by others (their manager's digests, exports, Home coverage views,
check-in reads, an admin's break-glass reads, a former manager whose access ended), spread over two
years, plus 10,000 entries about other people and 2,000 of the engineer's own reads (which the log
leaves out). Timed, as `/ladder access` and the App Home do it:

- "page": `read_access_log` (its own unit of work: the check, one page of `PAGE_SIZE` entries, the
  readers' names) + `access_log_blocks` + the JSON slack_sdk would send: the server time;
- "older page": the same from the cursor of a page in the middle of the log;
- "home section": `recent_in` + `home_access_log_blocks`, within the Home's unit of work.

The sizes printed are what Slack limits: blocks per message (50) and per Home section, characters
per section (3,000), the button value (2,000).

    .venv/bin/python bench/access_log.py                    # SQLite and PostgreSQL
    .venv/bin/python bench/access_log.py --backend sqlite --runs 50

PostgreSQL: GROWTHBOT_BENCH_PG_URL as for bench/tick_query.py. Target (printed, never asserted): under
100 ms of server time, within Slack's view limits.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from home import timed  # (median ms, p95 ms, median CPU ms), after a warm-up run
from tick_query import database

from bot.blocks.access_log import access_log_blocks, home_access_log_blocks
from bot.services import access, access_log
from bot.services.access_log import PAGE_SIZE, AccessLogPage, read_access_log
from bot.services.actor import Actor
from storage.db import make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import AuditEntry, Person, Workspace
from storage.uow import UnitOfWorkFactory

TEAM_ID = "TBENCH"
NOW = datetime(2026, 12, 1, 12, 0)
ENTRIES = 10_000
READS = [
    ("UMANAGER", access.VIEWED_DIGEST, {"scheduled": True, "surface": access.SURFACE_DM}),
    ("UMANAGER", access.VIEWED_DIGEST, {"on_demand": True, "surface": access.SURFACE_DIGEST_COMMAND}),
    ("UMANAGER", access.EXPORTED, {"via": "slack", "surface": access.SURFACE_EXPORT_COMMAND}),
    ("UMANAGER", access.VIEWED_COVERAGE, {"covered": 3, "total": 9, "surface": access.SURFACE_HOME}),
    ("UMANAGER", access.VIEWED_CHECKIN, {"result": True, "surface": access.SURFACE_DM}),
    ("UADMIN", access.VIEWED_DIGEST, {"on_demand": True, "break_glass": True}),
    ("UFORMER", access.ACCESS_ENDED, {"reason": "replaced"}),
    (None, access.EXPORTED, {"via": "cli"}),
]


def populate(engine: Engine) -> None:
    with engine.begin() as connection:
        inserted = connection.execute(insert(Workspace).values(team_id=TEAM_ID, name="Bench"))
        workspace_id = inserted.inserted_primary_key[0]
        people = [
            {"workspace_id": workspace_id, "slack_user_id": slack_id, "display_name": name, "tz": "Europe/Paris",
             "active": True, "created_at": NOW - timedelta(days=800)}
            for slack_id, name in (("UENGINEER", "Riley Engineer"), ("UMANAGER", "Morgan Manager"),
                                   ("UADMIN", "Ada Admin"), ("UFORMER", "Fran Former"))
        ]  # fmt: skip
        connection.execute(insert(Person), people)
        step = timedelta(days=730) / ENTRIES
        rows = [
            {"at": NOW - step * n, "actor_slack_id": READS[n % len(READS)][0], "action": READS[n % len(READS)][1],
             "subject_slack_id": "UENGINEER", "workspace_team_id": TEAM_ID, "details": READS[n % len(READS)][2]}
            for n in range(ENTRIES)
        ]  # fmt: skip
        rows += [
            {"at": NOW - step * n, "actor_slack_id": "UMANAGER", "action": access.VIEWED_COVERAGE,
             "subject_slack_id": f"UOTHER{n % 50}", "workspace_team_id": TEAM_ID, "details": {}}
            for n in range(ENTRIES)
        ]  # fmt: skip
        rows += [
            {"at": NOW - step * n * 5, "actor_slack_id": "UENGINEER", "action": access.VIEWED_DIGEST,
             "subject_slack_id": "UENGINEER", "workspace_team_id": TEAM_ID, "details": {"on_demand": True}}
            for n in range(2_000)
        ]  # fmt: skip
        for start in range(0, len(rows), 5_000):
            connection.execute(insert(AuditEntry), rows[start : start + 5_000])


def page_body(factory: UnitOfWorkFactory, cursor: str | None) -> dict[str, Any]:
    actor = Actor(TEAM_ID, "UENGINEER")
    page = read_access_log(factory, actor, subject_slack_id="UENGINEER", cursor=cursor, now=NOW)
    assert isinstance(page, AccessLogPage)
    blocks = [block.to_dict() for block in access_log_blocks(page)]
    body = {"text": "Who read your growthbot data", "blocks": blocks}
    json.dumps(body)
    return body


def home_blocks(factory: UnitOfWorkFactory) -> list[dict[str, Any]]:
    with factory() as uow:
        person = uow.session.scalars(select(Person).where(Person.slack_user_id == "UENGINEER")).one()
        entries = access_log.recent_in(uow, person)
        blocks = [block.to_dict() for block in home_access_log_blocks(entries, person.tz)]
    json.dumps(blocks)
    return blocks


def middle_cursor(factory: UnitOfWorkFactory) -> str:
    with factory() as uow:
        entry = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.subject_slack_id == "UENGINEER").order_by(AuditEntry.at.desc())
            .offset(ENTRIES // 2).limit(1)
        ).one()  # fmt: skip
        return access_log.encode_cursor(entry)


def sizes(body: dict[str, Any]) -> str:
    blocks = body["blocks"]
    longest = max(len(b["text"]["text"]) for b in blocks if b["type"] == "section")
    values = [len(e.get("value", "")) for b in blocks if b["type"] == "actions" for e in b["elements"]]
    return f"{len(blocks)} blocks, longest section {longest} chars, button value {max(values, default=0)} chars"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    print(f"{ENTRIES:,} audit entries about the engineer (+{ENTRIES:,} about others, 2,000 of their own reads); "
          f"{args.runs} runs; pages of {PAGE_SIZE}\n")  # fmt: skip
    print("| backend | measure | median ms | p95 ms | CPU ms | Slack sizes |\n|---|---|---:|---:|---:|---|")
    for backend in backends:
        with database(backend) as engine:
            upgrade_to_head(engine)
            populate(engine)
            factory = UnitOfWorkFactory(make_session_factory(engine))
            cursor = middle_cursor(factory)
            first, older = page_body(factory, None), page_body(factory, cursor)
            home = home_blocks(factory)
            for name, task, shape in (
                ("page (/ladder access)", partial(page_body, factory, None), sizes(first)),
                ("older page (mid-log cursor)", partial(page_body, factory, cursor), sizes(older)),
                ("home section", partial(home_blocks, factory), f"{len(home)} blocks"),
            ):
                median, p95, cpu = timed(task, args.runs)
                print(f"| {backend} | {name} | {median:.1f} | {p95:.1f} | {cpu:.1f} | {shape} |")
    print(f"\npython {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
