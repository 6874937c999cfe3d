"""`growthbot db backup FILE` and `growthbot db restore FILE` on SQLite (PostgreSQL: pg_dump, documented)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, insert, select

from bot.cli import main
from storage.db import make_engine
from storage.migrate import downgrade, head_revision, upgrade_to_head
from storage.models import Workspace

NOW = datetime(2024, 1, 8, 9, 0)


def _cli(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["db", *args], env={"DATABASE_URL": url})


def _database(path: Path, workspaces: int = 1) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    with engine.begin() as connection:
        for n in range(workspaces):
            connection.execute(insert(Workspace).values(team_id=f"T{n:04d}", name=f"w{n}", created_at=NOW))
    engine.dispose()
    return url


def _count(path: Path) -> int:
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(Workspace)).scalar_one()
    finally:
        engine.dispose()


def test_backup_while_writing_is_consistent_and_restores(tmp_path: Path) -> None:
    url = _database(tmp_path / "live.db", workspaces=50)
    engine = make_engine(url)
    stop = threading.Event()

    def keep_writing() -> None:  # the running bot
        n = 1000
        while not stop.is_set():
            with engine.begin() as connection:
                connection.execute(insert(Workspace).values(team_id=f"T{n}", name="w", created_at=NOW))
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = _cli(url, "backup", str(tmp_path / "backup.db"))
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    assert result.exit_code == 0, result.output
    assert f"schema {head_revision()}" in result.output
    with sqlite3.connect(tmp_path / "backup.db") as copy:
        assert copy.execute("pragma integrity_check").fetchone() == ("ok",)
    assert _count(tmp_path / "backup.db") >= 50

    again = _cli(url, "backup", str(tmp_path / "backup.db"))
    assert again.exit_code == 1 and "already exists" in again.output  # a backup is never overwritten

    restored = _cli(f"sqlite:///{tmp_path}/fresh.db", "restore", str(tmp_path / "backup.db"))
    assert restored.exit_code == 0, restored.output
    assert _count(tmp_path / "fresh.db") == _count(tmp_path / "backup.db")


def test_restore_refuses_to_put_an_older_schema_under_a_newer_database(tmp_path: Path) -> None:
    old = _database(tmp_path / "old.db")
    engine = make_engine(old)
    downgrade(engine, "-1")
    engine.dispose()
    assert _cli(old, "backup", str(tmp_path / "old-backup.db")).exit_code == 0
    newer = _database(tmp_path / "newer.db", workspaces=3)

    refused = _cli(newer, "restore", str(tmp_path / "old-backup.db"))
    assert refused.exit_code == 1
    assert f"at revision {head_revision()}, newer than the backup's" in refused.output
    assert "Traceback" not in refused.output
    assert _count(tmp_path / "newer.db") == 3  # untouched

    into_empty = _cli(f"sqlite:///{tmp_path}/empty.db", "restore", str(tmp_path / "old-backup.db"))
    assert into_empty.exit_code == 0 and "run `growthbot db upgrade`" in into_empty.output


def test_restore_refuses_a_backup_from_a_newer_release(tmp_path: Path) -> None:
    url = _database(tmp_path / "live.db")
    assert _cli(url, "backup", str(tmp_path / "b.db")).exit_code == 0
    engine = make_engine(f"sqlite:///{tmp_path}/b.db")
    with engine.begin() as connection:
        connection.exec_driver_sql("update alembic_version set version_num = '9999_from_the_future'")
    engine.dispose()
    refused = _cli(f"sqlite:///{tmp_path}/fresh.db", "restore", str(tmp_path / "b.db"))
    assert refused.exit_code == 1 and "9999_from_the_future, which this growthbot does not know" in refused.output
    assert not (tmp_path / "fresh.db").exists()


def test_postgresql_and_bad_files_get_a_clear_message(tmp_path: Path) -> None:
    postgres = _cli("postgresql://growthbot@127.0.0.1:1/growthbot", "backup", str(tmp_path / "x.dump"))
    assert postgres.exit_code == 1 and "pg_dump -Fc" in postgres.output
    (tmp_path / "notes.txt").write_text("not a database")
    bad = _cli(f"sqlite:///{tmp_path}/fresh.db", "restore", str(tmp_path / "notes.txt"))
    assert bad.exit_code == 1 and "is not a growthbot SQLite database" in bad.output
