"""The per-person reads of evidence (coverage, behaviour statistics, disputes, last evidence, a digest's
and a packet's items) enter through an index that leads with the person, whatever the planner's
statistics say: none at all, the ones an ANALYZE of the empty database left at install, or fresh ones.

The organisation is big enough for a ladder-wide path to look attractive (2,000 people, 100,000 items,
200,000 tags, most of them on a handful of behaviours), and one person's evidence is small. Every
statement each read sends is explained on the backend under test; no step may scan evidence or its
tags, and the first one must be a per-person index. Coverage and behaviour statistics read the tags
alone, never their items.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, text

from storage.db import make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Evidence, EvidenceSource, EvidenceTag, Person, Workspace
from storage.uow import UnitOfWork, UnitOfWorkFactory
from tests.storage.conftest import EmptyDatabase

PEOPLE = 2_000
ITEMS_EACH = 50
LADDER = "plan-ladder"
# Most of the organisation's tags are on these few behaviours: a short next milestone.
POPULAR = [f"b-{n:02d}" for n in range(3)]
OTHERS = [f"b-{n:02d}" for n in range(3, 40)]
SUBJECT = 1  # the person every read is for
NOW = datetime(2025, 3, 3, 9, 0)
BATCH = 10_000
PER_PERSON_INDEXES = {"ix_evidence_tags_person", "ix_evidence_person_created"}
# Lookups by evidence id (a join's inner side, or tags loaded for items already read).
KEY_LOOKUPS = {"pk", "pk_evidence", "sqlite_autoindex_evidence_tags_1", "uq_evidence_tags_behaviour"}
EVIDENCE_TABLES = {"evidence", "evidence_tags"}
# Read from the person's tag index alone (the item's time is on the tag): no step reads an item.
FROM_TAGS_ALONE = {
    "coverage",
    "coverage since",
    "coverage of a long milestone",
    "behaviour_stats",
    "coverage_for_people",
}


def _load(engine: Engine) -> None:
    rng = random.Random(20)
    people = [
        {"id": n, "workspace_id": 1, "slack_user_id": f"U{n:05d}", "tz": "UTC", "active": True,
         "created_at": NOW, "updated_at": NOW}
        for n in range(1, PEOPLE + 1)
    ]  # fmt: skip
    evidence: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    for person_id in range(1, PEOPLE + 1):
        for item in range(ITEMS_EACH):
            evidence_id = len(evidence) + 1
            at = NOW - timedelta(days=item * 7, hours=person_id % 24)
            evidence.append(
                {"id": evidence_id, "person_id": person_id, "text": "did a thing", "source": EvidenceSource.MODAL.value,
                 "to_discuss": False, "created_at": at, "deleted_at": None}
            )  # fmt: skip
            shown = {rng.choice(POPULAR), rng.choice(POPULAR + OTHERS)}
            for behaviour_id in sorted(shown):
                disputed = NOW if rng.random() < 0.02 else None
                tags.append(
                    {"evidence_id": evidence_id, "person_id": person_id, "framework_id": LADDER,
                     "framework_version": 1, "behaviour_id": behaviour_id, "area_id": "area", "level_id": "II",
                     "behaviour_text": "A behaviour", "created_at": at, "item_at": at, "disputed_at": disputed}
                )  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(Workspace), [{"id": 1, "team_id": "TPLAN", "created_at": NOW}])
        for model, rows in ((Person, people), (Evidence, evidence), (EvidenceTag, tags)):
            for start in range(0, len(rows), BATCH):
                connection.execute(insert(model), rows[start : start + BATCH])


def _reads() -> dict[str, Callable[[UnitOfWork], object]]:
    """Every per-person read of evidence that coverage, `/ladder me|next`, the Home, digests, readiness,
    last evidence and packets are built from."""
    since = NOW - timedelta(days=28)
    return {
        "coverage": lambda uow: uow.evidence.coverage(SUBJECT, LADDER, POPULAR),
        "coverage since": lambda uow: uow.evidence.coverage(SUBJECT, LADDER, POPULAR, since=since),
        "coverage of a long milestone": lambda uow: uow.evidence.coverage(SUBJECT, LADDER, POPULAR + OTHERS),
        "behaviour_stats": lambda uow: uow.evidence.behaviour_stats(SUBJECT, LADDER),
        "disputed_for": lambda uow: uow.evidence.disputed_for(SUBJECT, LADDER),
        "disputed_for since": lambda uow: uow.evidence.disputed_for(SUBJECT, LADDER, since=since),
        "coverage_for_people": lambda uow: uow.evidence.coverage_for_people(range(SUBJECT, SUBJECT + 7)),
        "latest_at_for_people": lambda uow: uow.evidence.latest_at_for_people(range(SUBJECT, SUBJECT + 7), until=NOW),
        "with_tags (packet)": lambda uow: uow.evidence.with_tags(SUBJECT),
        "with_tags (digest)": lambda uow: uow.evidence.with_tags(SUBJECT, since, NOW),
        "recent (Home)": lambda uow: uow.evidence.recent(SUBJECT, 5),
        "grouped_by_behaviour": lambda uow: uow.evidence.grouped_by_behaviour(SUBJECT, since, NOW),
    }


@contextmanager
def _statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        sent.append((statement, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _sqlite_steps(connection: Any, statement: str, params: Any) -> list[tuple[str, str, str]]:
    """(SCAN or SEARCH, table, index or '') of each table step, in the order SQLite runs them."""
    steps = []
    for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all():
        words = row[-1].split()
        if words[0] in ("SCAN", "SEARCH") and words[1] in EVIDENCE_TABLES:
            index = words[words.index("INDEX") + 1] if "INDEX" in words else ""
            index = "pk" if "PRIMARY" in words else index
            steps.append((words[0], words[1], index))
    return steps


def _postgres_steps(connection: Any, statement: str, params: Any) -> list[tuple[str, str, str]]:
    """(node type, table, index or '') of each scan of an evidence table, outermost-first."""
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, params).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    steps: list[tuple[str, str, str]] = []

    def walk(node: dict[str, Any], inner: bool = False) -> None:
        table = node.get("Relation Name")
        index = node.get("Index Name", "")
        if node["Node Type"] == "Bitmap Index Scan":
            table = "evidence" if index.startswith(("ix_evidence_person", "pk_evidence")) else "evidence_tags"
        # A bitmap heap scan reads the rows its bitmap index scan (a child) found.
        inner = inner or node.get("Parent Relationship") == "Inner"
        if node["Node Type"] == "BitmapAnd" and inner:  # two indexes intersected for each outer row
            steps.append(("BitmapAnd", "", ""))
        elif node["Node Type"] != "Bitmap Heap Scan" and (table in EVIDENCE_TABLES or index):
            steps.append((node["Node Type"], table or "", index))
        for child in node.get("Plans", []):
            walk(child, inner)

    walk(plan[0]["Plan"])
    return steps


def _check_plans(engine: Engine, state: str) -> None:
    engine.dispose()  # SQLite reads its statistics when a connection opens
    uow = UnitOfWorkFactory(make_session_factory(engine))
    sqlite = engine.dialect.name == "sqlite"
    for name, read in _reads().items():
        with uow() as unit:
            with _statements(engine) as sent:
                read(unit)
            connection = unit.session.connection()
            for statement, params in sent:
                if "evidence" not in statement:
                    continue
                explain = _sqlite_steps if sqlite else _postgres_steps
                steps = explain(connection, statement, params)
                where = f"{name} with {state} statistics: {steps}"
                assert steps, where
                assert not any(kind in ("SCAN", "BitmapAnd") or "Seq Scan" in kind for kind, _, _ in steps), where
                assert {index for _, _, index in steps} <= PER_PERSON_INDEXES | KEY_LOOKUPS, where
                by_ids = "evidence_id IN" in statement  # tags loaded for items the previous statement read
                lead = steps[0][2] if sqlite else next((i for _, _, i in steps if i in PER_PERSON_INDEXES), "")
                assert lead in PER_PERSON_INDEXES or by_ids, where
                if name in FROM_TAGS_ALONE:
                    assert {table for _, table, _ in steps} == {"evidence_tags"}, where


def _analyze(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA analysis_limit=1000")  # as the bot does
        connection.exec_driver_sql("ANALYZE")


def _forget_statistics(engine: Engine) -> None:
    """Back to "never analysed" (superuser on PostgreSQL, as the tests' server is)."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
            connection.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat4")
            return
        for table in EVIDENCE_TABLES | {"people"}:
            oid = {"table": table}
            connection.execute(text("DELETE FROM pg_statistic WHERE starelid = CAST(:table AS regclass)"), oid)
            connection.execute(text("UPDATE pg_class SET reltuples = -1 WHERE oid = CAST(:table AS regclass)"), oid)


@pytest.mark.slow
def test_evidence_reads_are_per_person_with_any_statistics(empty_db: EmptyDatabase) -> None:
    engine = empty_db.engine
    upgrade_to_head(engine)
    if empty_db.backend == "postgres":
        with engine.begin() as connection:  # the states below are the test's, not autovacuum's
            for table in EVIDENCE_TABLES | {"people"}:
                connection.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    _analyze(engine)  # what an install-time ANALYZE leaves: statistics of empty tables
    _load(engine)
    _check_plans(engine, "empty-database")
    _forget_statistics(engine)
    _check_plans(engine, "no")
    _analyze(engine)
    _check_plans(engine, "fresh")
