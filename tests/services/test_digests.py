"""build_digest against SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import event

from bot.services.digest_content import TalkingPointKind
from bot.services.digests import NOTHING_NEW, build_digest
from tests.conftest import Database
from tests.services.digest_data import add_evidence, add_prompt, load_ladder, make_world

LIBRARY = load_ladder()
END = datetime(2025, 3, 10, 14, 0)
START = END - timedelta(days=7)


@contextmanager
def count_statements(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_digest_holds_the_period_the_coverage_and_the_prompts(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        add_evidence(uow, LIBRARY, world.report_id, "before the period", START - timedelta(days=30), ["delivery-2-01"])
        add_evidence(uow, LIBRARY, world.report_id, "in the period", START + timedelta(days=1), ["delivery-2-02"])
        add_evidence(uow, LIBRARY, world.report_id, "untagged", START + timedelta(days=2))
        add_evidence(
            uow, LIBRARY, world.report_id, "deleted", START + timedelta(days=2), ["quality-2-01"], deleted_at=END
        )
        add_evidence(uow, LIBRARY, world.report_id, "at the meeting", END, ["quality-2-01"])
        add_evidence(uow, LIBRARY, world.outsider_id, "someone else's", START + timedelta(days=1), ["delivery-2-03"])
        add_evidence(
            uow, LIBRARY, world.report_id, "flag me", START - timedelta(days=60), ["mentoring-2-01"], to_discuss=True
        )
        add_prompt(uow, world.report_id, START + timedelta(days=1), answered_at=START + timedelta(days=1, hours=2))
        add_prompt(uow, world.report_id, START + timedelta(days=4))
        add_prompt(uow, world.report_id, START - timedelta(days=7), answered_at=START - timedelta(days=6))

    with db.uow() as uow:
        manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
        content = build_digest(uow, LIBRARY, (manager, report), START, END, {"delivery": {"covered": 0}})

    texts = [item.text for area in content.new_evidence for group in area.behaviours for item in group.items]
    assert texts == ["in the period", "untagged"]
    coverage = {c.area_id: (c.covered, c.total, c.change) for c in content.coverage}
    assert coverage == {"delivery": (2, 3, 2), "quality": (1, 2, None), "mentoring": (1, 1, None)}
    assert [item.text for item in content.flagged] == ["flag me"]
    assert content.talking_points[0].kind is TalkingPointKind.FLAGGED
    assert (content.prompts.asked, content.prompts.answered) == (2, 1)
    assert content.prompts.last_answer_at == START + timedelta(days=1, hours=2)
    assert content.last_evidence_at == END  # "at the meeting": the one "last answer" is the last evidence
    assert content.manager is not None and content.manager.slack_user_id == "UMANAGER"


def test_one_on_one_form_and_nothing_new(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        one_on_one = uow.one_on_ones.add(world.manager_id, world.report_id, weekday=0, local_time=END.time())
    with db.uow() as uow:
        content = build_digest(uow, LIBRARY, uow.one_on_ones.get(one_on_one.id), START, END)
    assert content.nothing_new and content.notes[0] == NOTHING_NEW
    assert content.one_on_one_id == one_on_one.id and content.meeting_at == END
    assert content.prompts.asked == 0 and content.prompts.last_answer_at is None


def test_statement_count_does_not_depend_on_the_amount_of_evidence(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)

    def statements_for_digest() -> int:
        with db.uow() as uow:
            manager, report = uow.people.get(world.manager_id), uow.people.get(world.report_id)
            with count_statements(db) as statements:
                build_digest(uow, LIBRARY, (manager, report), START, END)
        return len(statements)

    empty = statements_for_digest()
    with db.uow() as uow:
        for i in range(3):
            add_evidence(uow, LIBRARY, world.report_id, f"few {i}", START + timedelta(hours=i), ["delivery-2-01"])
    few = statements_for_digest()
    with db.uow() as uow:
        behaviours = ["delivery-2-01", "quality-2-01", "mentoring-2-01"]
        for i in range(600):
            at = START - timedelta(days=700) + timedelta(hours=i * 28)
            add_evidence(uow, LIBRARY, world.report_id, f"many {i}", at, behaviours[i % 3 :], to_discuss=i % 50 == 0)
            if i % 7 == 0:
                add_prompt(uow, world.report_id, at, answered_at=at)
    many = statements_for_digest()
    assert empty == few == many
    assert many <= 10  # the last evidence (bot.services.last_evidence) and the focus behaviours are a statement each
