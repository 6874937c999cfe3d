"""The tick's first task reloads ladders edited on disk, and a broken edit never fails the tick."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.events import EVENT_JOB_EXECUTED, JobExecutionEvent

from bot.scheduler import JOB_ID, LADDER_WATCH_JOB_ID, TASKS, start_scheduler, tick
from bot.server import start_scheduler_if_available
from frameworks import LibraryHolder
from tests.conftest import Database
from tests.delivery.world import make_world
from tests.frameworks.test_loader import BASE


def _write(path: Path, text: str, stamp: int) -> None:
    path.write_text(text)
    os.utime(path, ns=(stamp * 1_000_000_000, stamp * 1_000_000_000))


def test_ladders_is_the_first_task() -> None:
    assert TASKS[0][0] == "ladders"


def test_each_tick_picks_up_edited_ladders_and_keeps_the_last_good(sqlite_db: Database, tmp_path: Path) -> None:
    ladder = tmp_path / "ladder.yaml"
    _write(ladder, BASE, 1_700_000_000)
    with make_world(sqlite_db) as world:
        deps = dataclasses.replace(world.deps, ladders=LibraryHolder([tmp_path]))
        assert tick(deps)["ladders"] == "unchanged"

        _write(ladder, BASE.replace("Tiny ladder", "Renamed ladder"), 1_700_000_100)
        assert tick(deps)["ladders"] == f"reloaded ({len(deps.library.frameworks)} ladders)"
        assert deps.library["tiny"].name == "Renamed ladder"

        _write(ladder, BASE.replace("name: Tiny ladder", "nmae: Tiny ladder"), 1_700_000_200)
        results = tick(deps)
        assert str(results["ladders"]).startswith("not reloaded, last good ladders kept: ")
        assert "ladder.yaml:2" in str(results["ladders"])
        assert not any(isinstance(result, Exception) for result in results.values())
        assert deps.library["tiny"].name == "Renamed ladder"
        assert tick(deps)["ladders"] == "unchanged", "the same broken files are reported once"

        _write(ladder, BASE, 1_700_000_300)
        tick(deps)
        assert deps.library["tiny"].name == "Tiny ladder"


def test_a_process_that_does_not_tick_still_follows_ladder_edits(sqlite_db: Database, tmp_path: Path) -> None:
    ladder = tmp_path / "ladder.yaml"
    _write(ladder, BASE, 1_700_000_000)
    with make_world(sqlite_db) as world:
        ticking = start_scheduler(world.deps, interval_seconds=3600)
        assert ticking is not None
        try:
            # A second worker on the same SQLite file: it serves requests and only watches the ladders.
            deps = dataclasses.replace(world.deps, ladders=LibraryHolder([tmp_path]))
            watch = start_scheduler_if_available(deps)
            try:
                assert watch.get_job(LADDER_WATCH_JOB_ID) is not None and watch.get_job(JOB_ID) is None
                _write(ladder, BASE.replace("Tiny ladder", "Renamed ladder"), 1_700_000_100)
                watch.get_job(LADDER_WATCH_JOB_ID).modify(next_run_time=datetime.now(UTC))
                deadline = time.monotonic() + 30  # a hang guard, not a performance assertion
                while deps.library["tiny"].name != "Renamed ladder" and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert deps.library["tiny"].name == "Renamed ladder"
            finally:
                watch.shutdown(wait=True)
        finally:
            ticking.shutdown(wait=True)


def test_no_scheduler_still_watches_the_ladders(sqlite_db: Database) -> None:
    with make_world(sqlite_db) as world:
        watch = start_scheduler_if_available(world.deps, tick=False)
        try:
            assert watch.get_job(JOB_ID) is None and watch.get_job(LADDER_WATCH_JOB_ID) is not None
        finally:
            watch.shutdown(wait=True)


HANG_GUARD_S = 30  # a hang guard, not a performance assertion


def test_a_process_that_found_the_lock_busy_ticks_once_the_holder_stops(sqlite_db: Database) -> None:
    with make_world(sqlite_db) as world:
        first = start_scheduler(world.deps, interval_seconds=3600)
        assert first is not None
        # A gunicorn HUP reload: the new worker starts while the old one still holds the lock.
        second = start_scheduler_if_available(world.deps)
        try:
            assert second.get_job(JOB_ID) is None and second.get_job(LADDER_WATCH_JOB_ID) is not None
            first.shutdown(wait=True)  # the old worker stops
            second.get_job(LADDER_WATCH_JOB_ID).modify(next_run_time=datetime.now(UTC))
            deadline = time.monotonic() + HANG_GUARD_S
            while second.get_job(JOB_ID) is None and time.monotonic() < deadline:
                time.sleep(0.02)
            assert second.get_job(JOB_ID) is not None
            assert start_scheduler(world.deps) is None, "the second process holds the lock now"
        finally:
            if first.running:
                first.shutdown(wait=True)
            second.shutdown(wait=True)
        # Shutting the scheduler down released the lock: a later process ticks straight away.
        third = start_scheduler(world.deps, interval_seconds=3600)
        assert third is not None
        third.shutdown(wait=True)


def test_no_scheduler_never_takes_the_tick_over(sqlite_db: Database) -> None:
    with make_world(sqlite_db) as world:
        watch = start_scheduler_if_available(world.deps, tick=False)  # nobody holds the lock
        ran = threading.Event()

        def on_run(event: JobExecutionEvent) -> None:
            if event.job_id == LADDER_WATCH_JOB_ID:
                ran.set()

        try:
            watch.add_listener(on_run, EVENT_JOB_EXECUTED)
            watch.get_job(LADDER_WATCH_JOB_ID).modify(next_run_time=datetime.now(UTC))
            assert ran.wait(HANG_GUARD_S)
            assert watch.get_job(JOB_ID) is None and watch.get_job(LADDER_WATCH_JOB_ID) is not None
        finally:
            watch.shutdown(wait=True)
        ticking = start_scheduler(world.deps, interval_seconds=3600)  # the lock was never taken
        assert ticking is not None
        ticking.shutdown(wait=True)
