"""The App Home tab end to end: newcomer, engineer, manager, buttons, retries and Slack's view limits."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.ids import FocusAction, HomeAction
from storage.models import ManagerLinkStatus
from tests.listeners.harness import Harness

NOW = datetime(2026, 6, 3, 12, 0)  # Wednesday


def test_a_newcomer_sees_a_welcome_and_a_setup_button_that_opens_the_modal(harness: Harness) -> None:
    harness.add_slack_user("U1")
    assert harness.open_home("U1").status == 200
    home = harness.home("U1")
    assert home["type"] == "home"
    assert "Welcome to growthbot" in harness.home_text("U1")
    harness.action("U1", HomeAction.START_SETUP, view=home)
    assert harness.fake.last("views.open").ok
    assert harness.fake.opened_views[-1]["title"]["text"] == "Set up growthbot"
    assert harness.person_count() == 0  # opening the Home or the modal stores nothing


def test_an_engineer_sees_levels_progress_schedule_and_recent_evidence(harness: Harness) -> None:
    harness.set_now(NOW)
    harness.seed_person("U1", framework_id="luko-execution", level="2", levels={"quality": "5"}, weekday=0)
    harness.add_evidence("U1", "Planned Q3 <!channel> & shipped it", ["delivery-3-01"], created_at=NOW)
    harness.add_evidence("U1", "Older item", ["delivery-3-02", "communication-3-01"], created_at=NOW - timedelta(1))
    harness.open_home("U1")
    text = harness.home_text("U1")
    assert "*Execution growth track (Luko)* · Milestone 2 – Milestone 5" in text
    assert "*Delivery* · Milestone 2 → Milestone 3  `▰▰▰▰▰▰▰▱▱▱ 2/3`" in text
    assert "*Quality* · Milestone 5 · top level" in text
    assert "3/9" in text  # overall: 3 of the 9 next-milestone behaviours have evidence
    assert "Every Monday at 10:00 (Europe/Paris)" in text and "Next question: Mon 08 Jun, 10:00." in text
    assert "Planned Q3 &lt;!channel&gt; &amp; shipped it" in text and "<!channel>" not in text
    assert text.index("Planned Q3") < text.index("Older item")  # newest first
    action_ids = {e["action_id"] for b in harness.home("U1")["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert action_ids == {HomeAction.LOG_EVIDENCE, HomeAction.EDIT_SETUP, HomeAction.PAUSE_PROMPTS, FocusAction.OPEN}


def test_pause_and_resume_from_the_home_tab(harness: Harness) -> None:
    harness.set_now(NOW)
    person_id = harness.seed_person("U1", framework_id="luko-execution", level="2")
    harness.open_home("U1")
    harness.action("U1", HomeAction.PAUSE_PROMPTS, view=harness.home("U1"))
    assert "*Paused* until you resume." in harness.home_text("U1")
    with harness.deps.uow() as uow:
        schedule = uow.schedules.get_for(person_id)
        assert schedule is not None and schedule.paused and schedule.next_due_at is None
    harness.action("U1", HomeAction.RESUME_PROMPTS, view=harness.home("U1"))
    text = harness.home_text("U1")
    assert "Paused" not in text and "Next question: Mon 08 Jun, 10:00." in text
    with harness.deps.uow() as uow:
        schedule = uow.schedules.get_for(person_id)
        assert schedule is not None and not schedule.paused and schedule.next_due_at == datetime(2026, 6, 8, 8, 0)


def test_pause_before_setup_just_shows_the_welcome(harness: Harness) -> None:
    harness.add_slack_user("U1")
    harness.action("U1", HomeAction.PAUSE_PROMPTS, view={"type": "home", "blocks": []})
    assert "Welcome to growthbot" in harness.home_text("U1")


def test_a_manager_sees_reports_who_agreed_with_coverage_and_last_evidence(harness: Harness) -> None:
    harness.set_now(NOW)
    harness.seed_person("M1", framework_id="luko-execution", level="4", name="boss")
    harness.seed_person("U1", framework_id="luko-execution", level="2", manager="M1")
    harness.seed_person("U2", framework_id="attest-engineering", level="III", manager="M1")
    harness.seed_person(
        "U3", framework_id="luko-execution", level="1", manager="M1", manager_status=ManagerLinkStatus.PENDING
    )
    harness.add_evidence("U1", "Did the thing", ["delivery-3-01"], created_at=datetime(2026, 5, 28, 9, 0))
    harness.open_home("M1")
    text = harness.home_text("M1")
    assert "Your team" in text
    assert "<@U1> · Milestone 2 · `▰▱▱▱▱▱▱▱▱▱ 1/12` · last evidence <!date^1779958800^{date_short}|28 May 2026>" in text
    assert "<@U2> · Level III ·" in text and "<@U2> · Level III · `▱▱▱▱▱▱▱▱▱▱ 0/" in text
    assert "no evidence yet" in text
    assert "<@U3>" not in text  # pending: the report has not agreed to share


def test_a_manager_who_never_set_up_still_sees_the_team(harness: Harness) -> None:
    harness.seed_person("U1", framework_id="luko-execution", level="2", manager="M1")
    harness.open_home("M1")
    text = harness.home_text("M1")
    assert "Welcome to growthbot" in text and "<@U1>" in text


def test_the_home_stays_within_slack_limits_however_much_data(harness: Harness) -> None:
    harness.seed_person("M1", framework_id="attest-engineering", level="I")
    for n in range(60):
        harness.seed_person(f"U{n:03d}", framework_id="attest-engineering", level="II", manager="M1")
    huge = "<!here> " + "word & more " * 830  # close to the 10,000-character evidence limit
    for _ in range(40):
        harness.add_evidence("M1", huge, harness.next_behaviour_ids("M1")[:20])
    harness.open_home("M1")
    publish = harness.fake.last("views.publish")
    assert publish.ok  # the fake applies Slack's block, text and 250 kB rules
    view = harness.home("M1")
    assert len(view["blocks"]) <= 100
    assert len(json.dumps(view).encode()) < 250_000
    text = harness.home_text("M1")
    assert "…and 40 more." in text  # 60 reports, 20 shown
    assert "<!here>" not in text


def test_a_retried_home_event_has_no_duplicate_effects(harness: Harness) -> None:
    harness.add_slack_user("U1")
    first = harness.open_home("U1", event_id="Ev0000000001")
    again = harness.open_home("U1", event_id="Ev0000000001", retry_num=1, retry_reason="http_timeout")
    assert first.status == again.status == 200
    assert harness.person_count() == 0
    published = [call.params["view"] for call in harness.fake.calls("views.publish")]
    assert len(published) == 2 and published[0] == published[1]


def test_the_messages_tab_needs_nothing(harness: Harness) -> None:
    harness.add_slack_user("U1")
    event = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "messages", "event_ts": "1.0"}
    assert harness.event(event).status == 200
    assert harness.fake.count("views.publish") == 0


def test_a_managers_view_of_report_standing_is_audited_each_time_they_open_home(harness: Harness) -> None:
    """Issue 12: readiness and verdict counts are the report's data, audited on every read (each opening of
    the tab); redraws after a change, which nobody may be looking at, stay at once a day."""
    harness.set_now(NOW)
    harness.seed_person("M1", framework_id="luko-execution", level="4", name="boss")
    harness.seed_person("U1", framework_id="luko-execution", level="2", manager="M1")
    harness.seed_person("U3", framework_id="luko-execution", level="1", manager="M1",
                        manager_status=ManagerLinkStatus.PENDING)  # fmt: skip
    harness.open_home("M1")
    harness.open_home("M1")
    harness.open_home("U1")  # one's own coverage is not someone else's evidence
    harness.set_now(NOW + timedelta(days=1, minutes=1))
    harness.open_home("M1")
    with harness.deps.uow() as uow:
        seen = [(e.actor_slack_id, e.action, e.details["total"]) for e in uow.audit.for_subject("U1")]
        assert seen == [("M1", "viewed_coverage", 12)] * 3
        assert uow.audit.for_subject("U3") == []
