"""Promotion packets: Markdown and CSV, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from bot.services.packet import CSV_HEADER, build_packet, render_csv, render_markdown
from tests.conftest import Database
from tests.services.digest_data import add_evidence, load_ladder, make_world
from tests.services.test_digests import count_statements

LIBRARY = load_ladder()
NOW = datetime(2025, 3, 10, 12, 0)


def _world_with_evidence(db: Database):
    with db.uow() as uow:
        world = make_world(uow, report_tz="America/New_York")
        add_evidence(
            uow,
            LIBRARY,
            world.report_id,
            "Shipped checkout v2 | on time\nwith a second line",
            NOW - timedelta(days=10),
            ["delivery-2-01"],
            link="https://acme.slack.com/archives/C1/p1",
        )
        add_evidence(uow, LIBRARY, world.report_id, '=HYPERLINK("x")', NOW - timedelta(days=3), ["delivery-2-01"])
        add_evidence(uow, LIBRARY, world.report_id, "Fixed flaky tests", NOW - timedelta(days=2), ["quality-2-01"])
        add_evidence(uow, LIBRARY, world.report_id, "Wrote unit tests", NOW - timedelta(days=1), ["quality-1-01"])
        add_evidence(uow, LIBRARY, world.report_id, "No tag at all", NOW - timedelta(hours=5))
        add_evidence(uow, LIBRARY, world.report_id, "deleted", NOW, ["mentoring-2-01"], deleted_at=NOW)
    return world


def test_markdown_lists_every_behaviour_its_evidence_and_the_gaps(db: Database) -> None:
    world = _world_with_evidence(db)
    with db.uow() as uow:
        packet = build_packet(uow, LIBRARY, uow.people.get(world.report_id), now=NOW)
    markdown = render_markdown(packet)

    assert markdown.startswith("# Promotion packet: Riley Report\n")
    assert "| Delivery | Level 2 | 1 / 3 |" in markdown
    assert "| Quality & Testing | Level 2 | 1 / 2 |" in markdown
    assert "| Mentoring | Level 2 | 0 / 1 |" in markdown
    assert "| **All areas** | | **2 / 6** |" in markdown
    # Every next-milestone behaviour is there, with or without evidence.
    for behaviour_id in ("delivery-2-01", "delivery-2-02", "delivery-2-03", "quality-2-01", "quality-2-02"):
        assert LIBRARY["digest-ladder"].behaviour(behaviour_id).text in markdown
    assert "  - 2025-02-28: Shipped checkout v2 | on time\n    with a second line ([link](<https://acme" in markdown
    assert "## Behaviours without evidence" in markdown
    assert "- Mentors a junior engineer. (Mentoring)" in markdown
    assert "_No evidence yet._" in markdown
    # Evidence outside the next milestone is kept, in its own section; deleted items are not.
    other = markdown.split("## Other evidence", 1)[1]
    assert "Wrote unit tests" in other and "No tag at all" in other
    assert packet.evidence_count == 5 and ": deleted" not in markdown


def test_csv_has_a_row_per_behaviour_and_item_and_defuses_formulas(db: Database) -> None:
    world = _world_with_evidence(db)
    with db.uow() as uow:
        packet = build_packet(uow, LIBRARY, uow.people.get(world.report_id), now=NOW)
    rows = list(csv.reader(io.StringIO(render_csv(packet))))
    assert rows[0] == CSV_HEADER
    by_behaviour = {}
    for row in rows[1:]:
        by_behaviour.setdefault(row[2], []).append(row)
    assert len(by_behaviour["delivery-2-01"]) == 2
    assert by_behaviour["delivery-2-02"][0][4:] == ["", "", "", ""]
    assert '\'=HYPERLINK("x")' in [row[6] for row in by_behaviour["delivery-2-01"]]
    assert by_behaviour["delivery-2-01"][0][6] == "Shipped checkout v2 | on time\nwith a second line"
    assert by_behaviour[""][0][6] == "No tag at all"


def test_unplaced_person_gets_a_packet_with_a_note(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, placed=False)
        add_evidence(uow, LIBRARY, world.report_id, "Something", NOW, ["delivery-2-01"])
    with db.uow() as uow:
        packet = build_packet(uow, LIBRARY, uow.people.get(world.report_id), now=NOW)
    markdown = render_markdown(packet)
    assert "Not placed on a ladder yet" in markdown
    assert "Something" in markdown


def test_packet_statement_count_does_not_depend_on_evidence(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)

    def statements() -> int:
        with db.uow() as uow:
            person = uow.people.get(world.report_id)
            with count_statements(db) as seen:
                render_markdown(build_packet(uow, LIBRARY, person, now=NOW))
        return len(seen)

    few = statements()
    with db.uow() as uow:
        for i in range(700):
            add_evidence(uow, LIBRARY, world.report_id, f"item {i}", NOW - timedelta(hours=i), ["delivery-2-01"])
    assert statements() == few <= 3
