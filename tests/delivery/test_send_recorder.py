"""The fan-out's sends recorded in batches (bot.delivery.send_recorder)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bot.delivery.send_recorder import SendRecorder
from bot.services.planning import plan_due
from bot.services.prompt_records import PromptJob, SentPrompt, claim_jobs
from bot.services.tick import TickReport
from storage.models import PromptState
from tests.conftest import Database
from tests.delivery.test_prompts import MONDAY_SLOT
from tests.delivery.world import World, make_world


@pytest.fixture
def world(db: Database) -> Iterator[World]:
    with make_world(db) as running:
        yield running


def _claimed(world: World, people: int) -> list[PromptJob]:
    for n in range(people):
        world.person(f"U{n}")
    world.at(MONDAY_SLOT)
    config = world.config()
    plan_due(world.deps.uow, world.deps.library, config, world.now, TickReport())
    jobs, _ = claim_jobs(world.deps, config, "test", people, TickReport())
    assert len(jobs) == people
    return jobs


def _sent(job: PromptJob) -> SentPrompt:
    return SentPrompt(job, f"D{job.person_id}", f"{job.prompt_id}.0")


def test_sends_are_recorded_in_batches_and_all_by_the_end(world: World) -> None:
    jobs = _claimed(world, 120)
    updates: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.startswith("UPDATE prompts SET state"):
            updates.append(len(parameters) if executemany else 1)

    event.listen(world.db.engine, "before_cursor_execute", count)
    report = TickReport()
    try:
        with SendRecorder(world.deps, world.config(), report) as recorder:
            for job in jobs:
                recorder.add(_sent(job))
    finally:
        event.remove(world.db.engine, "before_cursor_execute", count)
    assert report["sent"] == 120
    assert sum(updates) == 120 and len(updates) < 120  # batched, whatever the timing
    prompts = world.prompts()
    assert {p.state for p in prompts} == {PromptState.SENT}
    assert {(p.channel_id, p.message_ts) for p in prompts} == {(f"D{p.person_id}", f"{p.id}.0") for p in prompts}


def test_a_full_batch_is_written_without_waiting_for_the_end(world: World) -> None:
    jobs = _claimed(world, SendRecorder.BATCH)
    report = TickReport()
    with SendRecorder(world.deps, world.config(), report) as recorder:
        for job in jobs:
            recorder.add(_sent(job))
        for _ in range(200):  # the writer thread records it (no flush called)
            if report["sent"] == len(jobs):
                break
            time.sleep(0.05)
        assert report["sent"] == len(jobs)


def test_flush_records_what_was_handed_in(world: World) -> None:
    [job] = _claimed(world, 1)
    report = TickReport()
    with SendRecorder(world.deps, world.config(), report) as recorder:
        recorder.add(_sent(job))
        recorder.flush()
        assert report["sent"] == 1
        assert world.prompts()[0].state is PromptState.SENT


class _DatabaseDown:
    """A unit-of-work factory whose transactions fail to start (the database went away)."""

    def __call__(self) -> _DatabaseDown:
        return self

    def __enter__(self) -> None:
        raise OperationalError("BEGIN", {}, Exception("database is down"))

    def __exit__(self, *exc: object) -> None:
        return None


def test_a_batch_that_fails_leaves_its_prompts_claimed_for_the_lookup(world: World) -> None:
    jobs = _claimed(world, 3)
    report = TickReport()
    down = dataclasses.replace(world.deps, uow=_DatabaseDown())
    with SendRecorder(down, world.config(), report) as recorder:
        for job in jobs:
            recorder.add(_sent(job))
    assert report["crashed"] == 3 and report["sent"] == 0
    assert {p.state for p in world.prompts()} == {PromptState.CLAIMED}  # its claim expires, then it is looked up
