"""DATABASE_URL checks in `storage.db`: what make_engine refuses without connecting, and check_connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import DatabaseConfigError, check_connection, make_engine, parse_database_url


@pytest.mark.parametrize(
    ("url", "backend", "driver"),
    [
        ("sqlite:///growthbot.db", "sqlite", "pysqlite"),
        ("sqlite://", "sqlite", "pysqlite"),
        ("sqlite:///:memory:", "sqlite", "pysqlite"),
        ("postgres://u:p@db:5432/growthbot", "postgresql", "psycopg"),
        ("postgresql://u@db/growthbot", "postgresql", "psycopg"),
        ("postgresql+psycopg://u@db/growthbot", "postgresql", "psycopg"),
    ],
)
def test_supported_urls_parse(url: str, backend: str, driver: str) -> None:
    parsed = parse_database_url(url)
    assert (parsed.get_backend_name(), parsed.get_driver_name()) == (backend, driver)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("garbage", "is not a database URL"),
        ("", "is not a database URL"),
        ("postgres://u:secret@db:notaport/x", "is not a database URL"),
        ("mysql://u:secret@db/x", "unsupported database backend 'mysql'"),
        ("oracle://u:secret@db/x", "unsupported database backend 'oracle'"),
        ("sqlite:////nonexistent/dir/x.db", "the directory '/nonexistent/dir' for the SQLite file does not exist"),
        ("postgresql+psycopg2://u:secret@db/x", "driver 'psycopg2', which is not installed"),
    ],
)
def test_unusable_urls_are_refused_before_connecting(url: str, problem: str) -> None:
    with pytest.raises(DatabaseConfigError) as error:
        make_engine(url)
    message = str(error.value)
    assert message.startswith("DATABASE_URL ") and problem in message and "\n" not in message
    assert "secret" not in message


def test_a_relative_sqlite_file_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    engine = make_engine("sqlite:///growthbot.db")
    check_connection(engine)
    engine.dispose()
    assert (tmp_path / "growthbot.db").exists()


def test_check_connection_names_host_port_and_the_drivers_reason() -> None:
    engine = make_engine("postgresql://postgres:secret@127.0.0.1:1/test")
    with pytest.raises(DatabaseConfigError) as error:
        check_connection(engine)
    engine.dispose()
    message = str(error.value)
    assert "cannot connect to PostgreSQL at 127.0.0.1:1" in message and "Connection refused" in message
    assert "secret" not in message and "\n" not in message
