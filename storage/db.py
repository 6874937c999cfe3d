"""Engines and sessions: SQLite (WAL, foreign keys on) by default, PostgreSQL via psycopg 3.

An unusable DATABASE_URL raises `DatabaseConfigError`, whose message is one paragraph naming the
variable, what is wrong and how to fix it: `make_engine` checks what it can without connecting, and
`check_connection` opens one connection.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

SUPPORTED_BACKENDS = ("sqlite", "postgresql")
URL_EXAMPLES = "sqlite:///growthbot.db or postgresql://USER:PASSWORD@HOST:5432/DATABASE"
DEFAULT_TIMEOUT_SECONDS = 5.0
_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


class DatabaseConfigError(Exception):
    """DATABASE_URL cannot be used; `str()` names the variable, the problem and the fix."""


def _shown(url: str | URL) -> str:
    """The URL as it may appear in a message: never with its password."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return _PASSWORD.sub(r"\1***@", url)


def parse_database_url(url: str) -> URL:
    """The URL SQLAlchemy will use, or DatabaseConfigError when it cannot work at all."""
    try:
        parsed = make_url(normalise_url(url.strip()))
    except (ArgumentError, ValueError):
        raise DatabaseConfigError(
            f"DATABASE_URL {_shown(url)!r} is not a database URL. Set it to a URL such as {URL_EXAMPLES}."
        ) from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseConfigError(
            f"DATABASE_URL {_shown(parsed)!r} uses the unsupported database backend {backend!r}: growthbot "
            f"supports only sqlite and postgresql. Set it to a URL such as {URL_EXAMPLES}."
        )
    if backend == "sqlite":
        _check_sqlite_directory(parsed)
    return parsed


def _check_sqlite_directory(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or url.query.get("uri") == "true":
        return
    directory = Path(database).parent
    if not directory.is_dir():
        raise DatabaseConfigError(
            f"DATABASE_URL {_shown(url)!r}: the directory {str(directory)!r} for the SQLite file does not exist. "
            f"Create it (mkdir -p {directory}) or point DATABASE_URL at a file in an existing directory."
        )


def normalise_url(url: str) -> str:
    """Let people write postgres:// or postgresql:// and still get the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(normalise_url(engine_or_url))
    return url.get_backend_name() == "sqlite"


def make_engine(url: str, *, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS, **kwargs: Any) -> Engine:
    """An engine for `url` (not connected yet); DatabaseConfigError when the URL cannot work.

    `timeout_seconds` bounds connecting to PostgreSQL (libpq's connect_timeout, whole seconds, at least 2):
    a server that accepts TCP but never answers otherwise holds the caller for the kernel's ~130 s."""
    parsed = parse_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        # Bolt listeners and the fan-out run on threads; each gets its own connection from the pool.
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = _create(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("connect_args", {"connect_timeout": max(2, math.ceil(timeout_seconds))})
    # The fan-out holds up to GROWTHBOT_FANOUT_CONCURRENCY (32) short transactions at once, beside
    # Bolt's listener threads; connections beyond pool_size are closed again when returned.
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 40)
    return _create(parsed, **kwargs)


def _create(url: URL, **kwargs: Any) -> Engine:
    try:
        return create_engine(url, **kwargs)
    except (NoSuchModuleError, ImportError) as error:
        raise DatabaseConfigError(
            f"DATABASE_URL {_shown(url)!r} asks for the database driver {url.get_driver_name()!r}, which is "
            f"not installed ({error}). Leave the driver out (postgresql://...) to use psycopg 3, which "
            f"growthbot installs."
        ) from None


def check_connection(engine: Engine) -> None:
    """Open and close one connection; DatabaseConfigError says why that failed."""
    try:
        with engine.connect():
            pass
    except DBAPIError as error:
        raise DatabaseConfigError(connection_problem(engine.url, error)) from None


def connection_problem(url: URL, error: BaseException) -> str:
    """One paragraph for a failure to connect: where to, the driver's one-line reason, what to check."""
    original = getattr(error, "orig", None) or error
    reason = next((line.strip() for line in str(original).splitlines() if line.strip()), type(original).__name__)
    if url.get_backend_name() == "sqlite":
        return (
            f"DATABASE_URL {_shown(url)!r}: cannot open the SQLite database file {url.database!r} ({reason}). "
            f"Check that its directory exists and that growthbot may write there."
        )
    where = f"{url.host or 'the local socket'}:{url.port or 5432}"
    return (
        f"DATABASE_URL {_shown(url)!r}: cannot connect to PostgreSQL at {where} ({reason}). Check that the "
        f"server is running and reachable from here, and the host, port, user, password and database name "
        f"in DATABASE_URL."
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    is_memory = cursor.execute("PRAGMA database_list").fetchone()[2] in ("", ":memory:")
    if not is_memory:
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten with zeros, not left in free pages: `/ladder forget` means gone.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def scrub_deleted(engine: Engine) -> None:
    """After a committed deletion of someone's data: on SQLite, checkpoint the WAL into the (securely
    deleted) database file and truncate it, so the deleted text is in neither file's bytes. PostgreSQL:
    nothing to do here (docs/architecture.md, "Data rights", says what VACUUM does and does not)."""
    if not is_sqlite(engine):
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: listeners render blocks from objects after the unit of work committed.
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
