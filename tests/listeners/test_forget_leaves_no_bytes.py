"""`/ladder forget` and `growthbot people delete` leave the deleted evidence text in neither the SQLite
file nor its WAL (issue 15, item 10): secure_delete is on and the WAL is checkpointed after the commit."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from bot.ids import Callback
from tests.listeners.harness import Harness

NOW = datetime(2025, 3, 20, 12, 0)
MARKER = "zq-forget-marker-7f3a91c2"


def _files(harness: Harness) -> list[Path]:
    database = Path(harness.db.engine.url.database or "")
    return [path for path in (database, Path(f"{database}-wal")) if path.exists()]


def _holds_marker(harness: Harness) -> list[str]:
    return [path.name for path in _files(harness) if MARKER.encode() in path.read_bytes()]


def _seed_marker(harness: Harness) -> None:
    harness.set_now(NOW)
    harness.seed_person("UREP", name="Riley")
    harness.add_evidence("UREP", f"Wrote the {MARKER} runbook", harness.next_behaviour_ids("UREP")[:1])
    assert _holds_marker(harness)  # the test can see it before the deletion


def test_forget_leaves_the_text_in_neither_database_file(harness: Harness) -> None:
    _seed_marker(harness)
    harness.command("UREP", "forget")
    modal = harness.fake.opened_views[-1]
    assert modal["callback_id"] == Callback.FORGET
    harness.submit("UREP", modal, {})
    assert _holds_marker(harness) == []


def test_people_delete_leaves_the_text_in_neither_database_file(harness: Harness) -> None:
    _seed_marker(harness)
    result = CliRunner().invoke(
        main, ["people", "delete", "--person", "UREP", "--yes"], env={"DATABASE_URL": harness.db.url}
    )
    assert result.exit_code == 0, result.output
    assert _holds_marker(harness) == []
