"""The tick in a process of its own, for `growthbot serve --workers N` with N > 1.

A tick's fan-out is thousands of Slack calls from a bounded thread pool (GROWTHBOT_FANOUT_CONCURRENCY
threads, `bot/delivery/tick.py`), never from Bolt's listener threads. But threads of one process share
its GIL: a fan-out running inside a gunicorn worker slowed that worker's acks 2x on SQLite and 8x on
PostgreSQL (issue 20). And with every worker ticking on PostgreSQL (claims are row-locked, so that is
safe) each of them carried a fan-out. So when `serve` runs several workers, the gunicorn master starts
ONE tick process beside them (gunicorn's `when_ready` hook), restarts it if it dies, and stops it when
the master stops (`on_exit`); the workers only serve requests and watch the ladder files. With one
worker the tick stays in that worker (one process fewer; its fan-out still has its own bounded pool).

The tick process builds its own engine and client (nothing crosses the spawn), runs the usual scheduler
(`bot.scheduler.start_scheduler`; on SQLite it still takes `<database>.scheduler.lock`, so a second
`serve` on the same file, or the new one of a deploy, waits and takes over), at a lower OS priority:
it has no GIL to share with request threads, so a lower priority only lets the workers' acks go first
when the CPUs are busy, and its work is paced by Slack's rate limits anyway.

Its database work is bounded too: the fan-out's threads share GROWTHBOT_TICK_DB_CONNECTIONS (2)
connections. On PostgreSQL each connection's queries run in a server process of its own, at normal
priority whatever the tick's niceness: with a connection per fan-out thread, a 5,000-person fan-out
held 36 and had up to 26 of them running queries at once beside the workers' two (ack p99 2-6x quiet,
answers told "busy"). The threads hold a connection only for a short unit of work, never across a
Slack call, so they rarely wait for one.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from typing import Any

from bot.settings import Settings, load_settings

log = logging.getLogger("bot.ticker")  # also when run as __main__

# Added to the tick process's OS niceness (0 keeps it at the workers' priority).
TICK_NICENESS = 5
RESTART_DELAY_SECONDS = 5.0
STOP_TIMEOUT_SECONDS = 20.0
_PARENT_CHECK_SECONDS = 2.0


def run_tick_process(settings: Settings, parent_pid: int, niceness: int = TICK_NICENESS) -> None:
    """The tick process: the scheduler until SIGTERM/SIGINT, or until serve's master is gone."""
    from bot.server import start_scheduler_if_available
    from bot.wiring import build

    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if niceness:
        os.nice(niceness)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    wired = build(settings, connections=settings.tick_database_connections)
    scheduler = start_scheduler_if_available(wired.deps, tick=True)
    log.info("tick process %d started for serve's master %d", os.getpid(), parent_pid)
    while not stop.wait(_PARENT_CHECK_SECONDS):
        if os.getppid() != parent_pid:  # the master died without stopping us (SIGKILL)
            log.warning("serve's master %d is gone: the tick process stops", parent_pid)
            break
    if scheduler is not None:
        scheduler.shutdown(wait=True)  # a tick in progress finishes; its claims would expire anyway
    wired.engine.dispose()


def _exited(process: subprocess.Popen[bytes], timeout: float | None) -> bool:
    # gunicorn's master reaps every child it sees exit; Popen then reads "exited" (ECHILD) all the same.
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        return False
    return True


class TickProcess:
    """Keeps one tick process running beside gunicorn's workers (used by `growthbot serve`)."""

    def __init__(self, *, niceness: int = TICK_NICENESS, restart_delay: float = RESTART_DELAY_SECONDS) -> None:
        self._niceness = niceness
        self._restart_delay = restart_delay
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._supervisor: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        with self._lock:
            return self._process.pid if self._process is not None else None

    def start(self, _server: Any = None) -> None:
        """gunicorn's `when_ready(server)`: start the tick process (once)."""
        with self._lock:
            if self._supervisor is not None:
                return
            self._supervisor = threading.Thread(target=self._supervise, name="growthbot-tick-supervisor", daemon=True)
            self._supervisor.start()

    def stop(self, _server: Any = None) -> None:
        """gunicorn's `on_exit(server)`: stop the tick process and wait for its tick to finish."""
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            if not _exited(process, STOP_TIMEOUT_SECONDS):
                process.kill()
        if self._supervisor is not None:
            self._supervisor.join(STOP_TIMEOUT_SECONDS)

    def _supervise(self) -> None:
        # A new interpreter, not a fork: the master holds threads (this one), and gunicorn's forked workers
        # would inherit multiprocessing's record of the child and try to join it at exit. It reads the
        # same settings as `serve` (the environment and ./.env).
        command = [sys.executable, "-m", "bot.ticker", str(os.getpid()), str(self._niceness)]
        while not self._stopping.is_set():
            with self._lock:
                if self._stopping.is_set():
                    return
                process = subprocess.Popen(command)
                self._process = process
            _exited(process, None)
            if self._stopping.is_set():
                return
            log.error("the tick process stopped unexpectedly; starting it again in %g s", self._restart_delay)
            self._stopping.wait(self._restart_delay)


def main(argv: list[str]) -> None:
    """`python -m bot.ticker MASTER_PID [NICENESS]`, started by TickProcess."""
    run_tick_process(load_settings(), int(argv[0]), int(argv[1]) if len(argv) > 1 else TICK_NICENESS)


if __name__ == "__main__":
    main(sys.argv[1:])
