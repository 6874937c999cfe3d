"""One definition of an answered prompt: the back-off's response rate and the digest's prompt line
count the same prompts (a "nothing this week" is an answer), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services import away, backoff, prompt_controls
from bot.services.digests import build_digest
from storage.models import PromptState
from tests.conftest import Database
from tests.services.digest_data import add_prompt, load_ladder, make_world

LIBRARY = load_ladder()
END = datetime(2025, 3, 31, 14, 0)
START = END - timedelta(days=28)


def _four_kinds(db: Database) -> tuple[int, int]:
    """One prompt answered with evidence, one "nothing this week", one skipped while away, one left
    unanswered; returns the manager's and the report's person ids."""
    with db.uow() as uow:
        world = make_world(uow)
        add_prompt(uow, world.report_id, START + timedelta(days=1), answered_at=START + timedelta(days=1, hours=1))
        nothing = add_prompt(uow, world.report_id, START + timedelta(days=8))
        prompt_controls.skip_prompt(uow, nothing, START + timedelta(days=8, hours=2))
        on_holiday = add_prompt(uow, world.report_id, START + timedelta(days=15))
        on_holiday.sent_at = None  # skipped before sending: the tick saw their status
        uow.prompts.mark_skipped(on_holiday, away.AWAY_SKIP_PREFIX + "vacation")
        add_prompt(uow, world.report_id, START + timedelta(days=22))
        return world.manager_id, world.report_id


def test_the_digest_counts_answers_as_the_response_rate_does(db: Database) -> None:
    manager_id, report_id = _four_kinds(db)
    with db.uow() as uow:
        delivered = uow.prompts.delivered_for_many([report_id], backoff.RATE_OVER)[report_id]
        rate = backoff.response_rate(delivered)
        activity = backoff.activity(uow, report_id, START, END)
        assert delivered[-1].state is PromptState.ANSWERED
        assert sum(1 for p in delivered if backoff.answered(p)) == 2
        assert (activity.answered, rate.answered) == (2, 2)  # evidence and "nothing this week"
        assert activity.asked == rate.asked == 3  # the away one was never sent
        assert activity.away == 1

        manager, report = uow.people.get(manager_id), uow.people.get(report_id)
        content = build_digest(uow, LIBRARY, (manager, report), START, END)
    assert (content.prompts.asked, content.prompts.answered, content.prompts.away) == (3, 2, 1)


def test_a_skip_by_the_tick_is_no_answer(db: Database) -> None:
    with db.uow() as uow:
        world = make_world(uow)
        expired = add_prompt(uow, world.report_id, START + timedelta(days=1))
        uow.prompts.mark_skipped(expired, "not delivered: late window passed")
        assert not backoff.answered(expired)
        assert backoff.activity(uow, world.report_id, START, END).answered == 0
