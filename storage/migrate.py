"""Schema migrations: upgrade to head, read the current revision, refuse to run on an old schema.

Alembic is configured here, in code, from the migrations shipped inside the `storage` package, so it
works from an installed wheel with no alembic.ini and no particular working directory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UPGRADE_COMMAND = "growthbot db upgrade"
# Any constant works; it only has to be the same for every growthbot instance sharing a database.
_PG_MIGRATION_LOCK = 0x67726F77  # "grow"


class SchemaOutdated(RuntimeError):
    """The database is not at the revision this growthbot needs; the message says what to run."""


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        # ConfigParser treats % as interpolation; URLs with encoded passwords contain it.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "storage/migrations/versions holds no migration"
    return head


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection, _quiet_alembic():
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Reading the revision makes Alembic log its dialect at INFO on every start; keep that out."""
    logger = logging.getLogger("alembic.runtime.migration")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _run(engine: Engine, action: str, revision: str) -> None:
    with engine.begin() as connection:
        _lock(connection)
        config = alembic_config()
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def _lock(connection: Connection) -> None:
    # Several instances starting at once with auto-upgrade on: one migrates, the others wait and find
    # the schema current. SQLite needs nothing: it has one writer at a time anyway.
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})


def upgrade_to_head(engine: Engine) -> tuple[str | None, str]:
    """Apply every pending migration; returns (revision before, revision after)."""
    before = current_revision(engine)
    _run(engine, "upgrade", "head")
    return before, head_revision()


def downgrade(engine: Engine, revision: str) -> None:
    _run(engine, "downgrade", revision)


def schema_problem(engine: Engine, needed: str | None = None) -> str | None:
    """Why this growthbot cannot run on this database as it is, or None when the schema is current.

    `needed` defaults to the head revision shipped with this code.
    """
    current, head = current_revision(engine), needed or head_revision()
    if current == head:
        return None
    if current is None:
        tables = set(inspect(engine).get_table_names())
        if tables:
            return (
                "The database has tables but no growthbot schema revision (it was not created by "
                f"`{UPGRADE_COMMAND}`). Point DATABASE_URL at an empty database and run `{UPGRADE_COMMAND}`."
            )
        return f"The database schema is empty but this growthbot needs {head}: run `{UPGRADE_COMMAND}`"
    if current not in known_revisions():
        return (
            f"The database schema is at revision {current}, which this growthbot does not know (it was "
            f"probably upgraded by a newer release; this one needs {head}). Run the newer release."
        )
    return f"The database schema is at revision {current} but this growthbot needs {head}: run `{UPGRADE_COMMAND}`"


def ensure_schema_current(engine: Engine, auto_upgrade: bool) -> None:
    """Raise SchemaOutdated unless the schema is at head; with auto_upgrade, upgrade it instead."""
    problem = schema_problem(engine)
    if problem is None:
        return
    if auto_upgrade and (current_revision(engine) in known_revisions() or is_empty(engine)):
        upgrade_to_head(engine)
        return
    raise SchemaOutdated(problem)


def is_empty(engine: Engine) -> bool:
    return current_revision(engine) is None and not inspect(engine).get_table_names()
