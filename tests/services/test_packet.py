"""Promotion packets: Markdown, CSV and JSON, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

from bot.services.packet import build_packet
from bot.services.packet_render import CSV_HEADER, packet_to_json, render_csv, render_json, render_markdown
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
    assert by_behaviour["delivery-2-02"][0][4:8] == ["", "", "", ""]
    assert '\'=HYPERLINK("x")' in [row[6] for row in by_behaviour["delivery-2-01"]]
    assert by_behaviour["delivery-2-01"][0][6] == "Shipped checkout v2 | on time\nwith a second line"
    assert by_behaviour[""][0][6] == "No tag at all"


def test_json_holds_behaviours_with_evidence_coverage_and_the_gaps(db: Database) -> None:
    world = _world_with_evidence(db)
    with db.uow() as uow:
        packet = build_packet(uow, LIBRARY, uow.people.get(world.report_id), now=NOW)
    data = packet_to_json(packet)
    assert json.loads(render_json(packet)) == data

    assert data["kind"] == "growthbot.promotion_packet" and data["version"] == 1
    assert data["person"] == {
        "id": world.report_id,
        "slack_user_id": "UREPORT",
        "name": "Riley Report",
        "tz": "America/New_York",
    }
    assert data["generated_at"] == "2025-03-10T12:00:00Z" and data["evidence_count"] == 5
    assert data["coverage"]["covered"] == 2 and data["coverage"]["total"] == 6
    assert [(a["area"], a["next_level"], a["covered"], a["total"]) for a in data["coverage"]["areas"]] == [
        ("Delivery", "Level 2", 1, 3),
        ("Quality & Testing", "Level 2", 1, 2),
        ("Mentoring", "Level 2", 0, 1),
    ]
    delivery = data["areas"][0]
    assert [b["behaviour_id"] for b in delivery["behaviours"]] == ["delivery-2-01", "delivery-2-02", "delivery-2-03"]
    first = delivery["behaviours"][0]
    assert first["text"] == LIBRARY["digest-ladder"].behaviour("delivery-2-01").text
    # Raw text, exactly as written (JSON is not a spreadsheet: no formula quoting), local dates.
    assert [(e["date"], e["text"], e["link"]) for e in first["evidence"]] == [
        ("2025-02-28", "Shipped checkout v2 | on time\nwith a second line", "https://acme.slack.com/archives/C1/p1"),
        ("2025-03-07", '=HYPERLINK("x")', None),
    ]
    assert delivery["behaviours"][1]["evidence"] == []
    missing = {(b["area_id"], b["behaviour_id"]) for b in data["behaviours_without_evidence"]}
    assert {("delivery", "delivery-2-02"), ("delivery", "delivery-2-03"), ("mentoring", "mentoring-2-01")} <= missing
    assert len(missing) == 4 and ("delivery", "delivery-2-01") not in missing
    other = [e["text"] for area in data["other_evidence"] for b in area["behaviours"] for e in b["evidence"]]
    assert sorted(other) == ["No tag at all", "Wrote unit tests"]
    assert "deleted" not in json.dumps(data)


def test_json_of_an_unplaced_person_keeps_the_note_and_the_evidence(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow, placed=False)
        add_evidence(uow, LIBRARY, world.report_id, "Something", NOW, ["delivery-2-01"])
    with db.uow() as uow:
        data = packet_to_json(build_packet(uow, LIBRARY, uow.people.get(world.report_id), now=NOW))
    assert data["areas"] == [] and data["coverage"] == {"covered": 0, "total": 0, "areas": []}
    assert data["notes"] == ["Not placed on a ladder yet, so there is no next milestone to measure against."]
    assert data["ladder"] is None and data["current_level"] is None
    assert [e["text"] for a in data["other_evidence"] for b in a["behaviours"] for e in b["evidence"]] == ["Something"]


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
