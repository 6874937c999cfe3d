"""`/ladder admin` blocks through `.to_dict()`: within Slack's limits, user text escaped, no evidence."""

from __future__ import annotations

from datetime import datetime, time

from bot.blocks.admin import admin_help_blocks, people_blocks, person_line
from bot.listeners.commands.admin import COMMANDS
from bot.services.admin import PeoplePage, PersonSummary, ScheduleSummary
from storage.models import Cadence


def _person(i: int, **changes: object) -> PersonSummary:
    values: dict[str, object] = {
        "slack_user_id": f"U{i:04d}",
        "name": f"Person {i}",
        "tz": "Europe/Paris",
        "active": True,
        "inactive_reason": None,
        "ladder": "Vio.com Execution",
        "level": "Level 2",
        "manager_slack_id": "UMGR",
        "pending_manager_slack_id": None,
        "schedule": ScheduleSummary(0, time(10, 0), Cadence.WEEKLY, False, None, datetime(2025, 3, 24, 9)),
    }
    values.update(changes)
    return PersonSummary(**values)  # type: ignore[arg-type]


def test_person_line_escapes_names_and_shows_each_state() -> None:
    line = person_line(_person(1, name="<!channel> & co"))
    assert line == (
        "• *&lt;!channel&gt; &amp; co* <@U0001> · Vio.com Execution, Level 2 · manager <@UMGR> · "
        "prompts Mon 10:00 weekly (Europe/Paris) · *active*"
    )
    paused = ScheduleSummary(4, time(16, 30), Cadence.FORTNIGHTLY, True, datetime(2025, 3, 31, 22), None)
    assert "prompts Fri 16:30 fortnightly" in person_line(_person(2, schedule=paused))
    assert "*paused until 2025-04-01*" in person_line(_person(2, schedule=paused))
    pending = person_line(
        _person(3, manager_slack_id=None, pending_manager_slack_id="UNEW", schedule=None, ladder=None)
    )
    assert "no ladder" in pending and "manager <@UNEW> awaiting their consent" in pending and "*not set up*" in pending
    assert "*inactive (Slack: user_disabled)*" in person_line(
        _person(4, active=False, inactive_reason="Slack: user_disabled")
    )


def test_a_full_page_fits_one_message() -> None:
    page = PeoplePage(tuple(_person(i, name="N" * 80) for i in range(50)), 1, 3, 123)
    blocks = [block.to_dict() for block in people_blocks(page)]
    assert len(blocks) <= 50
    text = str(blocks)
    assert "123 people · page 1 of 3" in text and "`/ladder admin people 2`" in text
    assert all(f"<@U{i:04d}>" in text for i in range(50))


def test_empty_list_and_help() -> None:
    assert "Nobody is in growthbot yet" in str([b.to_dict() for b in people_blocks(PeoplePage((), 1, 1, 0))])
    closed = str([b.to_dict() for b in admin_help_blocks(COMMANDS, can_read_evidence=False)])
    opened = str([b.to_dict() for b in admin_help_blocks(COMMANDS, can_read_evidence=True)])
    assert "you can't read anyone's evidence" in closed and "is on" in opened
    assert all(usage in closed for usage, _ in COMMANDS)
