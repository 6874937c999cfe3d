"""The in-process scheduler: APScheduler 3 runs one `tick` job every minute, and nothing else.

APScheduler keeps no state here (facts, "APScheduler 3.x": a shared job store across processes is
unsupported). Who is due, what was claimed and what was sent live in growthbot's tables, so every
gunicorn worker or instance may run this scheduler: prompts and digests are claimed row by row
(FOR UPDATE SKIP LOCKED on PostgreSQL). SQLite has no row locks, so there only one process per
database file ticks: the one holding an exclusive lock on `<database file>.scheduler.lock`. Every other
gunicorn worker or instance on that file serves requests and tries the lock again each minute; the first
to get it once the holder stops (a gunicorn HUP reload or a deploy starts the new processes before the
old ones stop) ticks from then on.

A process that serves requests without ticking (another one ticks its SQLite file, or it was started
with `--no-scheduler`, which never takes over) still runs the tick's first task, the ladder-file check,
every minute (`start_ladder_watch`): its lookups, modals and App Home follow ladder edits like the
ticking one's.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN, SchedulerEvent
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import make_url

from bot import metrics
from bot.deps import Deps
from bot.logs import tick_reference
from bot.services import retired

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
    if after is before:
        return "unchanged"
    changed = retired.changed_ladders(before, after)
    if changed:
        with deps.uow() as uow:
            stranded = retired.placed_on_removed_levels(uow, after, changed)
        if stranded:
            log.warning(
                "ladders reloaded: on a level or track their ladder no longer has (see /ladder admin people): %s",
                "; ".join(f"{slack_id}: {what}" for slack_id, what in stranded.items()),
            )
    return f"reloaded ({len(after.frameworks)} ladders)"


def _prompts(deps: Deps) -> object:
    from bot.delivery.tick import run_tick

    return run_tick(deps)


def _planning(deps: Deps) -> object:
    from bot.delivery.tick import plan_tick

    return plan_tick(deps)


def _workspace_prompts(deps: Deps) -> object:
    from bot.delivery.tick import send_tick

    return send_tick(deps)


def _digests(deps: Deps) -> object:
    from bot.delivery.digests import tick_digests

    report = tick_digests(deps, deps.now())
    metrics.record_digest_report(
        {
            "sent": report.sent,
            "skipped": report.skipped,
            "failed": report.failed,
            "retrying": report.retrying,
            "busy": report.busy,
        }
    )
    return report


def _consent_requests(deps: Deps) -> object:
    from bot.delivery.consent import send_pending_consent_requests

    return send_pending_consent_requests(deps, deps.now())


def _checkins(deps: Deps) -> object:
    from bot.delivery.checkins import tick_checkins

    return tick_checkins(deps, deps.now()) or "nothing to do"


def _confirmations(deps: Deps) -> object:
    from bot.delivery.confirmations import confirm_unconfirmed

    return dict(confirm_unconfirmed(deps, deps.now())) or "nothing to confirm"


def _uninstalled_workspaces(deps: Deps) -> object:
    from bot.services.installations import prune_uninstalled

    report = prune_uninstalled(deps.uow, deps.now(), retention_days=deps.settings.uninstalled_retention_days)
    return report if report.workspaces_done or report.people_deleted else "nothing to delete"


# What one tick does, in order; each task is isolated so one failing never stops the other.
TASKS: list[tuple[str, Callable[[Deps], object]]] = [
    ("ladders", _ladders),
    ("prompts", _prompts),
    ("digests", _digests),
    ("consent_requests", _consent_requests),
    ("checkins", _checkins),
    ("confirmations", _confirmations),
    ("uninstalled_workspaces", _uninstalled_workspaces),
]


# The OAuth install (several workspaces, each with its token): the sending tasks run once per installed
# workspace, concurrently (bot.delivery.workspaces), between the tasks that run once for all.
OAUTH_TASKS_BEFORE: list[tuple[str, Callable[[Deps], object]]] = [("ladders", _ladders), ("planning", _planning)]
WORKSPACE_TASKS: list[tuple[str, Callable[[Deps], object]]] = [
    ("prompts", _workspace_prompts),
    ("digests", _digests),
    ("consent_requests", _consent_requests),
    ("checkins", _checkins),
    ("confirmations", _confirmations),
]
OAUTH_TASKS_AFTER: list[tuple[str, Callable[[Deps], object]]] = [("uninstalled_workspaces", _uninstalled_workspaces)]


def tick(deps: Deps) -> dict[str, object]:
    """One tick at `deps.now()`: every task once. Returns each task's report (or the exception); with the
    OAuth install, `results["workspaces"]` holds each installed workspace's, by tenant id."""
    results: dict[str, object] = {}
    started = time.monotonic()
    with tick_reference():
        if deps.oauth is None:
            failed = _run(TASKS, deps, results)
        else:
            from bot.delivery.workspaces import for_each_workspace

            failed = _run(OAUTH_TASKS_BEFORE, deps, results)
            workspaces: dict[str, object] = {}
            try:
                workspaces = for_each_workspace(deps, _run_workspace)
            except Exception:  # the installation store unreadable: logged; the next tick tries again
                log.exception("tick: the installed workspaces could not be listed")
                failed.add("workspaces")
            results["workspaces"] = workspaces
            for outcome in workspaces.values():
                if isinstance(outcome, dict):
                    failed.update(name for name, result in outcome.items() if isinstance(result, Exception))
                elif isinstance(outcome, Exception):
                    failed.add("workspaces")
            failed |= _run(OAUTH_TASKS_AFTER, deps, results)
    metrics.record_tick(time.monotonic() - started, sorted(failed))
    return results


def _run_workspace(deps: Deps) -> dict[str, object]:
    results: dict[str, object] = {}
    _run(WORKSPACE_TASKS, deps, results)
    return results


def _run(tasks: list[tuple[str, Callable[[Deps], object]]], deps: Deps, results: dict[str, object]) -> set[str]:
    """Each task once, in order, each isolated; returns the names of those that failed."""
    failed: set[str] = set()
    for name, task in tasks:
        try:
            results[name] = task(deps)
        except Exception as error:  # logged with context; the next tick tries again
            log.exception("tick task %s failed", name)
            results[name] = error
            failed.add(name)
    return failed


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
        log.info("another process runs the scheduler for SQLite file %s; this one does not tick", busy)
        return None
    scheduler = BackgroundScheduler(timezone=UTC)
    if lock is not None:
        scheduler.add_listener(lambda _event: lock.close(), EVENT_SCHEDULER_SHUTDOWN)
    _every(scheduler, tick, deps, interval_seconds, JOB_ID, "growthbot tick", first_run=datetime.now(UTC))
    scheduler.start()
    log.info("scheduler started: one tick every %g s", interval_seconds)
    return scheduler


class _TakeOver:
    """The ladder watch of a process that wanted to tick but found the SQLite lock busy: each run it tries
    the lock again, and once it has it this process ticks instead (the tick's first task is the same
    ladder check). The lock is released when the scheduler shuts down."""

    def __init__(self, scheduler: BackgroundScheduler, deps: Deps, interval_seconds: float) -> None:
        self._scheduler = scheduler
        self._deps = deps
        self._interval_seconds = interval_seconds
        self._mutex = threading.Lock()  # orders taking the lock against releasing it on shutdown
        self._taken = False
        self._stopped = False
        self._lock: IO[str] | None = None
        scheduler.add_listener(self._release, EVENT_SCHEDULER_SHUTDOWN)

    def watch(self, deps: Deps) -> object:
        with self._mutex:
            if not self._taken and not self._stopped:
                try:
                    self._lock = _take_sqlite_scheduler_lock(deps.settings.database_url)
                except SchedulerAlreadyRunning:
                    pass
                else:
                    self._taken = True
                    # Not from this job's thread: changing the jobs waits for the job store lock, which
                    # shutdown(wait=True) holds while it waits for this job to finish.
                    threading.Thread(target=self._start_ticking, name="growthbot-take-over", daemon=True).start()
                    return "took over the tick"
        return _ladders(deps)

    def _start_ticking(self) -> None:
        _every(
            self._scheduler,
            tick,
            self._deps,
            self._interval_seconds,
            JOB_ID,
            "growthbot tick",
            first_run=datetime.now(UTC),
        )
        with contextlib.suppress(JobLookupError):  # already gone if the scheduler shut down meanwhile
            self._scheduler.remove_job(LADDER_WATCH_JOB_ID)  # the tick checks the ladders first
        log.info("the process ticking for this SQLite file stopped: this one ticks every %g s", self._interval_seconds)

    def _release(self, _event: SchedulerEvent) -> None:
        with self._mutex:
            self._stopped = True
            if self._lock is not None:
                self._lock.close()


def start_ladder_watch(
    deps: Deps, *, interval_seconds: float = TICK_SECONDS, take_over: bool = False
) -> BackgroundScheduler:
    """Only the ladder-file check, every `interval_seconds`, for a process that does not tick. With
    `take_over` (it wanted to tick, another process held the SQLite lock) each check also tries the lock,
    and the process starts ticking once it gets it."""
    scheduler = BackgroundScheduler(timezone=UTC)
    watch = _TakeOver(scheduler, deps, interval_seconds).watch if take_over else _ladders
    _every(scheduler, watch, deps, interval_seconds, LADDER_WATCH_JOB_ID, "growthbot ladder watch")
    scheduler.start()
    log.info("ladder watch started: ladder files checked every %g s (this process does not tick)", interval_seconds)
    return scheduler
