"""The production HTTP stack: bot.server's Flask app (in-process) and `growthbot serve` under gunicorn."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from bot.app import create_app
from bot.deps import Deps
from bot.server import create_flask_app
from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack
from bot.testing.slack_requests import SlackRequests
from frameworks import LibraryHolder
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_to_head
from storage.uow import UnitOfWorkFactory
from tests.conftest import Database
from tests.listeners.harness import SIGNING_SECRET, TrackingExecutor, bundled_library, make_settings, message_text

GROWTHBOT = Path(sys.executable).with_name("growthbot")


def _serve(flask_app: object) -> tuple[str, object]:
    server = make_server("127.0.0.1", 0, flask_app, threaded=True)  # type: ignore[arg-type]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as running:
        yield running


def _deps(fake: FakeSlack, db: Database, uow: UnitOfWorkFactory | None = None) -> Deps:
    settings = make_settings(fake, db)
    return Deps(
        settings=settings,
        uow=uow or db.uow,
        ladders=LibraryHolder(library=bundled_library()),
        client=make_web_client(settings),
        followups=TrackingExecutor(2),
    )


def test_the_flask_app_serves_slack_and_health(fake: FakeSlack, sqlite_db: Database) -> None:
    deps = _deps(fake, sqlite_db)
    executor = TrackingExecutor()
    base, server = _serve(create_flask_app(create_app(deps, listener_executor=executor), deps))
    try:
        assert _get(base + "/healthz") == (200, b'{"status":"ok"}\n')
        requests = SlackRequests(base + "/slack/events", SIGNING_SECRET, fake)
        assert requests.slash_command("U1", "help").status == 200
        executor.settle()
        deps.followups.settle()  # type: ignore[attr-defined]
        assert "/ladder next [area]" in message_text(fake.ephemeral_messages()[-1])
        assert requests.slash_command("U1", "help", bad_signature=True).status == 401
        assert _get(base + "/slack/events")[0] == 405
    finally:
        server.shutdown()  # type: ignore[attr-defined]


def test_health_is_503_when_the_database_does_not_answer(fake: FakeSlack, sqlite_db: Database, tmp_path: Path) -> None:
    (tmp_path / "a-directory.db").mkdir()  # SQLite cannot open it: every connect fails
    broken = make_engine(f"sqlite:///{tmp_path}/a-directory.db")
    deps = _deps(fake, sqlite_db, UnitOfWorkFactory(make_session_factory(broken)))
    base, server = _serve(create_flask_app(create_app(deps), deps))
    try:
        status, body = _get(base + "/healthz")
        assert status == 503 and b"database unreachable" in body
    finally:
        server.shutdown()  # type: ignore[attr-defined]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_growthbot_serve_runs_gunicorn_with_the_bolt_app(fake: FakeSlack, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/growthbot.db"
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "GROWTHBOT_", "DATABASE_"))}
    env.update(fake.env(SIGNING_SECRET), DATABASE_URL=url)
    process = subprocess.Popen(
        [str(GROWTHBOT), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-scheduler"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            assert time.monotonic() < deadline, "growthbot serve did not become healthy"
            time.sleep(0.1)
        requests = SlackRequests(base + "/slack/events", SIGNING_SECRET, fake)
        assert requests.slash_command("U1", "help").status == 200
        while not fake.ephemeral_messages():
            assert time.monotonic() < deadline, "no answer to /ladder help"
            time.sleep(0.05)
        assert "/ladder search WORDS" in message_text(fake.ephemeral_messages()[-1])
        assert fake.count("auth.test") >= 1  # the worker verified its token at start-up
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    assert "Booting worker" in output


# Each body carries "SECRET" so the test can tell that the log line leaves the body out.
_MALFORMED = [
    ("{SECRET not json", "application/json"),
    ("payload=%7BSECRET+not+json", "application/x-www-form-urlencoded"),
    ("\xff\x00 SECRET", "application/json"),
    ('{"type": "event_callback", "team_id": "T0001", "event": "SECRET"}', "application/json"),
    ('{"type": "event_callback", "team_id": "T0001", "event": ["SECRET", 1]}', "application/json"),
    ('["SECRET", "a list"]', "application/json"),
    ("payload=%5B1%2C2%2C%22SECRET%22%5D", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize(("body", "content_type"), _MALFORMED)
def test_malformed_bodies_are_401_unsigned_and_400_signed_never_500(
    fake: FakeSlack, sqlite_db: Database, body: str, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    deps = _deps(fake, sqlite_db)
    base, server = _serve(create_flask_app(create_app(deps), deps))
    try:
        requests = SlackRequests(base + "/slack/events", SIGNING_SECRET, fake)
        assert requests.post(body, content_type, sign=False).status == 401
        assert requests.post(body, content_type, bad_signature=True).status == 401
        caplog.clear()
        with caplog.at_level("INFO", logger="bot.server"):
            assert requests.post(body, content_type).status == 400
        lines = [record.getMessage() for record in caplog.records if record.name == "bot.server"]
        assert len(lines) == 1 and "SECRET" not in lines[0]
    finally:
        server.shutdown()  # type: ignore[attr-defined]


@pytest.fixture
def silent_postgres() -> Iterator[int]:
    """A TCP port that accepts connections and never answers, as a hung PostgreSQL does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        for connection in held:
            connection.close()


def test_health_is_503_within_the_database_timeout_when_postgresql_never_answers(
    fake: FakeSlack, sqlite_db: Database, silent_postgres: int
) -> None:
    from bot.wiring import build

    settings = make_settings(
        fake,
        sqlite_db,
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:{silent_postgres}/test",
        GROWTHBOT_DB_TIMEOUT_SECONDS="2",
    )
    wired = build(settings, library=bundled_library())
    base, server = _serve(create_flask_app(create_app(wired.deps), wired.deps))
    try:
        started = time.monotonic()
        status, body = _get(base + "/healthz")
        elapsed = time.monotonic() - started
        # 2 s asked for; the 5 s default (or no bound at all) would fail the second condition.
        assert status == 503 and b"database unreachable" in body
        assert elapsed < 4.5, elapsed
    finally:
        server.shutdown()  # type: ignore[attr-defined]
        wired.engine.dispose()


def test_health_is_200_on_both_databases_with_the_statement_timeout_set(fake: FakeSlack, db: Database) -> None:
    deps = _deps(fake, db)
    base, server = _serve(create_flask_app(create_app(deps), deps))
    try:
        assert _get(base + "/healthz") == (200, b'{"status":"ok"}\n')
    finally:
        server.shutdown()  # type: ignore[attr-defined]


def test_an_unsigned_ssl_check_is_still_answered_by_bolt(fake: FakeSlack, sqlite_db: Database) -> None:
    deps = _deps(fake, sqlite_db)
    base, server = _serve(create_flask_app(create_app(deps), deps))
    try:
        requests = SlackRequests(base + "/slack/events", SIGNING_SECRET, fake)
        answer = requests.post("ssl_check=1&token=legacy", "application/x-www-form-urlencoded", sign=False)
        assert answer.status == 200
    finally:
        server.shutdown()  # type: ignore[attr-defined]
