"""End to end (issue 15): when the database is down, `/ladder log` and the evidence modal's submit say it
failed and quote back, escaped, what the person wrote so they can send it again; nothing is kept to retry.

The database goes down by pointing the running app's units of work at a PostgreSQL URL nobody listens
on, built through the real settings and wiring (no project module patched)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from bot.wiring import build
from storage.uow import UnitOfWorkFactory
from tests.listeners.harness import Harness, bundled_library, make_settings, message_text
from tests.listeners.test_prompt_flow import _state, dm, seed

WRITTEN = "Led the <!channel> incident review & wrote the postmortem"
ESCAPED = "Led the &lt;!channel&gt; incident review &amp; wrote the postmortem"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dead_uow(harness: Harness) -> Iterator[UnitOfWorkFactory]:
    """Units of work over a PostgreSQL URL nobody listens on; `harness` has U1 set up on a working one."""
    seed(harness)
    dead_url = f"postgresql://postgres@127.0.0.1:{_closed_port()}/test"
    wired = build(make_settings(harness.fake, harness.db, DATABASE_URL=dead_url), library=bundled_library())
    working = harness.deps.uow
    try:
        yield wired.deps.uow
    finally:
        harness.deps.uow = working
        wired.engine.dispose()


def _quoted(text: str) -> bool:
    return "not completed" in text and ESCAPED in text and "<!channel>" not in text


def test_ladder_log_with_the_database_down_quotes_back_what_was_written(
    harness: Harness, dead_uow: UnitOfWorkFactory
) -> None:
    down = harness
    down.deps.uow = dead_uow
    down.command("U1", f"log {WRITTEN}")
    shown = down.last_ephemeral_text("U1")
    assert _quoted(shown), shown


def test_the_modal_submit_with_the_database_down_quotes_back_what_was_written(
    harness: Harness, dead_uow: UnitOfWorkFactory
) -> None:
    down = harness
    down.command("U1", "log")  # the modal opens; the database goes down while they type
    view = down.fake.opened_views[-1]
    down.deps.uow = dead_uow
    before = len(dm(down, "U1"))
    answer = down.submit("U1", view, _state(WRITTEN, link="https://example.test/pm"))
    shown = _answer_text(answer.json()) + " ".join(message_text(m) for m in dm(down, "U1")[before:])
    assert _quoted(shown), shown
    assert "https://example.test/pm" in shown


def _answer_text(answer: Any) -> str:
    if not answer:
        return ""
    view = answer.get("view") or {}
    return " ".join(
        (block.get("text") or {}).get("text", "") for block in view.get("blocks", []) if isinstance(block, dict)
    )
