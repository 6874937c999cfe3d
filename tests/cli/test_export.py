"""`growthbot export --person ... --format md|csv|json` (the promotion packet), and `growthbot people export`
(everything held), against a migrated SQLite database."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_to_head
from storage.uow import UnitOfWorkFactory
from tests.services.digest_data import DATA_DIR, add_evidence, load_ladder, make_world

LIBRARY = load_ladder()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/export.db"
    engine = make_engine(url)
    upgrade_to_head(engine)
    uow_factory = UnitOfWorkFactory(make_session_factory(engine))
    with uow_factory() as uow:
        world = make_world(uow)
        report = uow.people.get(world.report_id)
        report.email = "riley@example.com"
        add_evidence(uow, LIBRARY, world.report_id, "Shipped <the> thing", datetime(2025, 3, 1), ["delivery-2-01"])
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GROWTHBOT_FRAMEWORKS_DIR", str(DATA_DIR))
    return url


def test_markdown_packet_to_stdout_by_email(database: str) -> None:
    result = CliRunner().invoke(main, ["export", "--person", "riley@example.com"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Promotion packet: Riley Report")
    assert "Shipped <the> thing" in result.output
    assert "| Delivery | Level 2 | 1 / 3 |" in result.output


def test_csv_to_a_file_by_slack_id_is_audited(database: str, tmp_path: Path) -> None:
    target = tmp_path / "packet.csv"
    result = CliRunner().invoke(
        main, ["export", "--person", "UREPORT", "--format", "csv", "-o", str(target)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert rows[0][:4] == ["area", "next_level", "behaviour_id", "behaviour"]
    assert any(row[6] == "Shipped <the> thing" for row in rows)
    engine = make_engine(database)
    with UnitOfWorkFactory(make_session_factory(engine))() as uow:
        entries = uow.audit.for_subject("UREPORT")
        assert [(e.actor_slack_id, e.action, e.details["via"]) for e in entries] == [(None, "exported_evidence", "cli")]
    engine.dispose()


def test_json_is_the_packet_by_person_id_and_is_audited(database: str) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--person", "2", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    packet = json.loads(result.output)
    assert packet["kind"] == "growthbot.promotion_packet"
    assert packet["person"]["slack_user_id"] == "UREPORT"
    delivery = next(area for area in packet["areas"] if area["area_id"] == "delivery")
    assert (delivery["next_level"], delivery["covered"], delivery["total"]) == ("Level 2", 1, 3)
    shipped = next(b for b in delivery["behaviours"] if b["behaviour_id"] == "delivery-2-01")
    assert [item["text"] for item in shipped["evidence"]] == ["Shipped <the> thing"]
    assert {"area": "Delivery", "area_id": "delivery", "next_level": "Level 2", "covered": 1, "total": 3} in packet[
        "coverage"
    ]["areas"]
    unevidenced = {b["behaviour_id"] for b in packet["behaviours_without_evidence"]}
    assert "delivery-2-02" in unevidenced and "delivery-2-01" not in unevidenced
    assert "placements" not in packet and "evidence" not in packet  # not the full data dump

    engine = make_engine(database)
    with UnitOfWorkFactory(make_session_factory(engine))() as uow:
        entries = uow.audit.for_subject("UREPORT")
        assert [(e.action, e.details["format"]) for e in entries] == [("exported_evidence", "json")]
    engine.dispose()

    missing = runner.invoke(main, ["export", "--person", "nobody@example.com", "--format", "json"])
    assert missing.exit_code != 0 and "No person with the email nobody@example.com" in missing.output


def test_the_full_data_dump_is_people_export(database: str) -> None:
    result = CliRunner().invoke(main, ["people", "export", "--person", "2"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["person"]["slack_user_id"] == "UREPORT"
    assert [item["text"] for item in data["evidence"]] == ["Shipped <the> thing"]


def test_help_says_json_is_the_packet() -> None:
    result = CliRunner().invoke(main, ["export", "--help"])
    assert result.exit_code == 0
    assert "json: the packet as JSON" in result.output
    assert "growthbot people export" in result.output
