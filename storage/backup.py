"""SQLite backup and restore with SQLite's online backup API (`sqlite3.Connection.backup`).

A backup taken while the bot runs is consistent: the API copies the database page by page and starts
over when another connection writes in between, so the copy is one committed state (WAL included).
PostgreSQL has its own tools (`pg_dump -Fc`, `pg_restore`; docs/deploying.md).

A restore refuses a backup whose schema this release does not know (taken by a newer release), and
refuses to overwrite a database whose schema is newer than the backup's: that database was upgraded
since, and putting the old schema back under it is a decision for a person, not a default.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

from storage.db import parse_database_url
from storage.migrate import UPGRADE_COMMAND, alembic_config, head_revision


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Copied:
    path: Path
    revision: str | None
    pages: int


def sqlite_path(database_url: str) -> Path:
    url: URL = parse_database_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "growthbot db backup and restore handle SQLite files. For PostgreSQL use pg_dump -Fc and "
            "pg_restore (see docs/deploying.md, Backups)."
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("DATABASE_URL names an in-memory SQLite database: there is no file to back up.")
    return Path(url.database)


def revision_of(path: Path) -> str | None:
    """The Alembic revision stored in a SQLite file; BackupError when it is not a growthbot database."""
    try:
        with _open(path, readonly=True) as connection:
            row = connection.execute("select version_num from alembic_version").fetchone()
    except sqlite3.DatabaseError as error:  # not a database, or no alembic_version table
        raise BackupError(f"{path} is not a growthbot SQLite database ({error}).") from None
    return row[0] if row else None


def backup(database_url: str, target: Path) -> Copied:
    source = sqlite_path(database_url)
    if not source.exists():
        raise BackupError(f"There is no database file at {source} (DATABASE_URL): nothing to back up.")
    if target.exists():
        raise BackupError(f"{target} already exists: name a new file (backups are never overwritten).")
    if not target.parent.is_dir():
        raise BackupError(f"The directory {target.parent} does not exist: create it or name another file.")
    pages = _copy(source, target)
    return Copied(target, revision_of(target), pages)


def restore(backup_file: Path, database_url: str) -> Copied:
    target = sqlite_path(database_url)
    if not backup_file.is_file():
        raise BackupError(f"There is no backup file at {backup_file}.")
    from_backup = revision_of(backup_file)
    order = _revisions_newest_first()
    if from_backup is not None and from_backup not in order:
        raise BackupError(
            f"The backup's schema is at revision {from_backup}, which this growthbot does not know (a newer "
            f"release took it; this one needs {head_revision()}). Restore it with that newer release."
        )
    if target.exists():
        current = revision_of(target)
        if current is not None and current not in order:
            raise BackupError(
                f"The database at {target} is at revision {current}, newer than this growthbot knows: "
                "restore with the release that upgraded it."
            )
        if current is not None and (from_backup is None or order.index(current) < order.index(from_backup)):
            raise BackupError(
                f"The database at {target} is at revision {current}, newer than the backup's "
                f"{from_backup or 'empty schema'}: restoring would put an older schema under it. Stop growthbot, "
                "move that file (and its -wal and -shm files) aside, then restore, then run "
                f"`{UPGRADE_COMMAND}`."
            )
    pages = _copy(backup_file, target)
    return Copied(target, from_backup, pages)


def _revisions_newest_first() -> list[str]:
    return [script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()]


def _copy(source: Path, target: Path) -> int:
    copied = 0

    def progress(_status: int, remaining: int, total: int) -> None:
        nonlocal copied
        copied = total - remaining

    with _open(source, readonly=True) as reader, _open(target, readonly=False) as writer:
        reader.backup(writer, pages=1024, progress=progress)
    return copied


class _open:
    """A plain sqlite3 connection, closed on exit (sqlite3's own context manager only commits)."""

    def __init__(self, path: Path, *, readonly: bool) -> None:
        uri = f"file:{path}?mode=ro" if readonly else f"file:{path}?mode=rwc"
        self.connection = sqlite3.connect(uri, uri=True, timeout=30)

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *_exc: object) -> None:
        self.connection.close()
