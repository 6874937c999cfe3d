"""A full answer queue: the person is told at once to try again, with what they typed quoted back.

Answers computed after the ack (`/ladder help|me|next|show|search`) queue on `deps.followups`, bounded
by GROWTHBOT_ANSWER_QUEUE. The test occupies every answer thread, fills the queue, and sends one more.
"""

from __future__ import annotations

import threading

from bot.testing.fake_slack import FakeSlack
from tests.conftest import Database
from tests.listeners.harness import Harness, message_text, start_harness


def _occupy_answer_threads(harness: Harness, release: threading.Event) -> None:
    started = threading.Barrier(harness.followups._max_workers + 1)

    def hold() -> None:
        started.wait(5)
        release.wait(30)

    for _ in range(harness.followups._max_workers):
        harness.followups.submit(hold)
    started.wait(5)


def _texts(fake: FakeSlack) -> list[str]:
    return [message_text(message) for message in fake.ephemeral_messages()]


def test_a_full_answer_queue_says_busy_and_quotes_the_command(sqlite_db: Database) -> None:
    with start_harness(sqlite_db, GROWTHBOT_ANSWER_QUEUE=2) as harness:
        release = threading.Event()
        _occupy_answer_threads(harness, release)
        try:
            for _ in range(2):  # both fit in the queue and wait for a thread
                assert harness.requests.slash_command("U1", "help").status == 200
            harness.executor.settle()
            assert _texts(harness.fake) == []

            response = harness.requests.slash_command("U2", "search <b>ship</b> & *grow*")
            assert response.status == 200  # acknowledged like any command
            harness.executor.settle()
            [busy] = _texts(harness.fake)
            assert "busy right now" in busy and "try again in a moment" in busy
            assert "> /ladder search &lt;b&gt;ship&lt;/b&gt; &amp; *grow*" in busy
            assert "<b>" not in busy
        finally:
            release.set()
        harness.settle()
        answers = _texts(harness.fake)
        assert len(answers) == 3
        assert sum("/ladder next [area]" in text for text in answers) == 2  # the queued help answers arrived

        # Once the queue has room again, the same command is answered.
        harness.command("U2", "search ship")
        assert "busy right now" not in _texts(harness.fake)[-1]


def test_the_queue_bound_is_the_setting(sqlite_db: Database) -> None:
    with start_harness(sqlite_db, GROWTHBOT_ANSWER_QUEUE=5) as harness:
        release = threading.Event()
        _occupy_answer_threads(harness, release)
        try:
            for _ in range(6):
                harness.requests.slash_command("U1", "help")
            harness.executor.settle()
            assert len(_texts(harness.fake)) == 1  # only the sixth was refused
        finally:
            release.set()
        harness.settle()
        assert len(_texts(harness.fake)) == 6


def test_an_answer_that_waited_past_its_budget_says_busy_instead(sqlite_db: Database) -> None:
    with start_harness(sqlite_db, GROWTHBOT_ANSWER_WAIT_SECONDS=0.3) as harness:
        release = threading.Event()
        _occupy_answer_threads(harness, release)
        try:
            assert harness.requests.slash_command("U1", "search <ship>").status == 200
            release.wait(0.6)  # the queued answer waits longer than its budget
        finally:
            release.set()
        harness.settle()
        [busy] = _texts(harness.fake)
        assert "busy right now" in busy and "> /ladder search &lt;ship&gt;" in busy

        harness.command("U1", "help")  # an answer within its budget is computed
        assert "/ladder next [area]" in _texts(harness.fake)[-1]
