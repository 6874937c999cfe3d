"""bot.ticker: `serve` with several workers keeps one tick process beside them, restarted if it dies."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.scheduler import SchedulerAlreadyRunning, _take_sqlite_scheduler_lock
from bot.testing.fake_slack import FakeSlack
from bot.ticker import TickProcess
from storage.db import make_engine
from storage.migrate import upgrade_to_head


def _eventually(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _ticking(url: str) -> bool:
    """True while some process holds the SQLite scheduler lock, i.e. ticks for that file."""
    try:
        lock = _take_sqlite_scheduler_lock(url)
    except SchedulerAlreadyRunning:
        return True
    assert lock is not None
    lock.close()
    return False


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.slow
def test_the_tick_process_ticks_restarts_when_killed_and_stops(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/growthbot.db"
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    for name in [name for name in os.environ if name.startswith(("SLACK_", "GROWTHBOT_", "DATABASE_"))]:
        monkeypatch.delenv(name)
    for name, value in {**fake_slack.env("secret"), "DATABASE_URL": url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no developer's .env

    ticker = TickProcess(niceness=0, restart_delay=0.1)
    ticker.start()
    try:
        _eventually(lambda: _ticking(url), "the tick process never took the scheduler lock")
        first = ticker.pid
        assert first is not None and first != os.getpid()

        os.kill(first, signal.SIGKILL)
        _eventually(lambda: ticker.pid not in (None, first) and _ticking(url), "the tick process was not restarted")
    finally:
        second = ticker.pid
        ticker.stop()
    assert second is not None and _gone(second)
    assert not _ticking(url)
