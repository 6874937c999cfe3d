"""LOG_FORMAT=json: one JSON object per line, the request's reference, Slack's error code, never evidence text."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from werkzeug.serving import make_server

from bot import logs
from bot.app import create_app
from bot.deps import Deps
from bot.server import create_flask_app
from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack
from bot.testing.slack_requests import SlackRequests
from frameworks import LibraryHolder
from storage.db import make_engine, make_session_factory
from storage.uow import UnitOfWorkFactory
from tests.conftest import Database
from tests.listeners.harness import SIGNING_SECRET, bundled_library, make_settings, message_text

EVIDENCE_TEXT = "Paired with the quokka team on the billing outage"


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    printed = io.StringIO()
    logs.configure("INFO", "json", stream=printed, force=True)
    try:
        yield printed
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_each_line_is_one_json_object_with_reference_and_slack_error(json_logs: io.StringIO) -> None:
    log = logging.getLogger("growthbot.test")
    response = SlackResponse(
        client=None, http_verb="POST", api_url="x", req_args={}, data={"ok": False, "error": "channel_not_found"},
        headers={}, status_code=200,
    )  # fmt: skip
    with logs.tick_reference("tick1234"):
        log.info("planned %d prompts", 3)
        try:
            raise SlackApiError("boom", response)
        except SlackApiError:
            log.exception("sending failed")
    log.warning("outside any tick")
    printed = json_logs.getvalue()
    first, failed, outside = _lines(printed)
    assert first == {
        **first,
        "level": "INFO",
        "logger": "growthbot.test",
        "message": "planned 3 prompts",
        "ref": "tick1234",
    }
    assert failed["slack_error"] == "channel_not_found" and "Traceback" in str(failed["exception"])
    assert failed["ref"] == "tick1234"
    assert "ref" not in outside


def test_a_failed_request_logs_its_reference_as_json_and_never_the_evidence(
    json_logs: io.StringIO, sqlite_db: Database, tmp_path: Path
) -> None:
    (tmp_path / "a-directory.db").mkdir()  # SQLite cannot open it: every unit of work fails
    broken = UnitOfWorkFactory(make_session_factory(make_engine(f"sqlite:///{tmp_path}/a-directory.db")))
    with FakeSlack() as fake:
        settings = make_settings(fake, sqlite_db)
        deps = Deps(settings=settings, uow=broken, ladders=LibraryHolder(library=bundled_library()),
                    client=make_web_client(settings))  # fmt: skip
        server = make_server("127.0.0.1", 0, create_flask_app(create_app(deps), deps), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            requests = SlackRequests(f"http://127.0.0.1:{server.server_port}/slack/events", SIGNING_SECRET, fake)
            assert requests.slash_command("U1", f"log {EVIDENCE_TEXT}").status == 200
            deadline = time.monotonic() + 20  # a hang guard, not a performance assertion
            while not fake.ephemeral_messages() and time.monotonic() < deadline:
                time.sleep(0.05)
            apology = fake.ephemeral_messages()
        finally:
            server.shutdown()
    told = message_text(apology[-1])
    assert EVIDENCE_TEXT in told  # quoted back to the person, who holds the only copy
    printed = json_logs.getvalue()
    assert EVIDENCE_TEXT not in printed and "quokka" not in printed
    errors = [line for line in _lines(printed) if line["level"] == "ERROR" and line["logger"] == "bot.errors"]
    assert errors, printed
    assert f"`{errors[0]['ref']}`" in told  # the reference the person was shown finds the log line
