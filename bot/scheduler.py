"""The in-process scheduler: APScheduler 3 runs one `tick` job every minute, and nothing else.

APScheduler keeps no state here (facts, "APScheduler 3.x": a shared job store across processes is
unsupported). Who is due, what was claimed and what was sent live in growthbot's tables, so every
gunicorn worker or instance may run this scheduler: prompts and digests are claimed row by row
(FOR UPDATE SKIP LOCKED on PostgreSQL). SQLite has no row locks, so there only one process per
database file runs the scheduler: the first to take an exclusive lock on `<database file>.scheduler.lock`
(every other gunicorn worker or instance on that file serves requests without ticking).

A process that serves requests without ticking (another one ticks its SQLite file, or it was started
with `--no-scheduler`) still runs the tick's first task, the ladder-file check, every minute
(`start_ladder_watch`): its lookups, modals and App Home follow ladder edits like the ticking one's.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import make_url

from bot.deps import Deps

log = logging.getLogger(__name__)

TICK_SECONDS = 60
JOB_ID = "growthbot-tick"
LADDER_WATCH_JOB_ID = "growthbot-ladder-watch"


def _ladders(deps: Deps) -> object:
    # Ladder files edited on disk are picked up here; a broken edit is logged once and the last good
    # ladders stay in use, so this task never fails the tick.
    before = deps.ladders.library
    error = deps.ladders.reload_if_changed()
    if error is not None:
        return f"not reloaded, last good ladders kept: {error}"
    after = deps.ladders.library
    return "unchanged" if after is before else f"reloaded ({len(after.frameworks)} ladders)"


def _prompts(deps: Deps) -> object:
    from bot.services.prompting import run_tick

    return run_tick(deps)


def _digests(deps: Deps) -> object:
    from bot.services.digesting import tick_digests

    return tick_digests(deps, deps.now())


def _consent_requests(deps: Deps) -> object:
    from bot.services.consent import send_pending_consent_requests

    return send_pending_consent_requests(deps, deps.now())


def _confirmations(deps: Deps) -> object:
    from bot.services.confirmations import confirm_unconfirmed

    return dict(confirm_unconfirmed(deps, deps.now())) or "nothing to confirm"


# What one tick does, in order; each task is isolated so one failing never stops the other.
TASKS: list[tuple[str, Callable[[Deps], object]]] = [
    ("ladders", _ladders),
    ("prompts", _prompts),
    ("digests", _digests),
    ("consent_requests", _consent_requests),
    ("confirmations", _confirmations),
]


def tick(deps: Deps) -> dict[str, object]:
    """One tick at `deps.now()`: every task once. Returns each task's report (or the exception)."""
    results: dict[str, object] = {}
    for name, task in TASKS:
        try:
            results[name] = task(deps)
        except Exception as error:  # logged with context; the next tick tries again
            log.exception("tick task %s failed", name)
            results[name] = error
    return results


class SchedulerAlreadyRunning(Exception):
    """Another process ticks for this SQLite file."""


def _take_sqlite_scheduler_lock(database_url: str) -> IO[str] | None:
    """On SQLite, an exclusive lock held while the scheduler runs (the OS drops it if the process dies).

    None means no lock is needed (PostgreSQL, in-memory SQLite); SchedulerAlreadyRunning means another
    process holds it."""
    from storage.db import is_sqlite, normalise_url

    if not is_sqlite(database_url):
        return None
    database = make_url(normalise_url(database_url)).database
    if not database or database == ":memory:":
        return None
    path = Path(database).resolve()
    lock_file = open(path.with_name(path.name + ".scheduler.lock"), "a")  # noqa: SIM115 - held past this function
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock_file.close()
        raise SchedulerAlreadyRunning(str(path)) from None
    return lock_file


def _every(
    scheduler: BackgroundScheduler,
    job: Callable[[Deps], object],
    deps: Deps,
    interval_seconds: float,
    job_id: str,
    name: str,
    first_run: datetime | None = None,
) -> None:
    """A job every `interval_seconds`; one still running makes the next wait (max_instances=1) and
    missed runs collapse into one (coalesce=True)."""
    options = {"next_run_time": first_run} if first_run is not None else {}
    scheduler.add_job(
        job,
        IntervalTrigger(seconds=interval_seconds, timezone=UTC),
        args=[deps],
        id=job_id,
        name=name,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=max(int(interval_seconds), 1),
        replace_existing=True,
        **options,
    )


def start_scheduler(deps: Deps, *, interval_seconds: float = TICK_SECONDS) -> BackgroundScheduler | None:
    """Start ticking now and every `interval_seconds`; a tick still running makes the next one wait
    (max_instances=1) and missed runs collapse into one (coalesce=True). Returns None when another
    process already runs the scheduler for the same SQLite file."""
    try:
        lock = _take_sqlite_scheduler_lock(deps.settings.database_url)
    except SchedulerAlreadyRunning as busy:
        log.info("another process runs the scheduler for SQLite file %s; this one only serves requests", busy)
        return None
    scheduler = BackgroundScheduler(timezone=UTC)
    if lock is not None:
        scheduler.add_listener(lambda _event: lock.close(), EVENT_SCHEDULER_SHUTDOWN)
    _every(scheduler, tick, deps, interval_seconds, JOB_ID, "growthbot tick", first_run=datetime.now(UTC))
    scheduler.start()
    log.info("scheduler started: one tick every %g s", interval_seconds)
    return scheduler


def start_ladder_watch(deps: Deps, *, interval_seconds: float = TICK_SECONDS) -> BackgroundScheduler:
    """Only the ladder-file check, every `interval_seconds`, for a process that does not tick."""
    scheduler = BackgroundScheduler(timezone=UTC)
    _every(scheduler, _ladders, deps, interval_seconds, LADDER_WATCH_JOB_ID, "growthbot ladder watch")
    scheduler.start()
    log.info("ladder watch started: ladder files checked every %g s (this process does not tick)", interval_seconds)
    return scheduler
