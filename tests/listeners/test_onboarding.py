"""The setup modal end to end: opening it, rebuilding it for another ladder, inline errors, saving."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

import pytest

from bot.blocks.onboarding import NO_TRACK, SAME_AS_OVERALL
from bot.ids import Callback, HomeAction, OnboardingAction, OnboardingBlock, area_block_id
from bot.services.timing import next_occurrence
from frameworks import Library, parse_framework
from storage.models import ManagerLinkStatus, Person
from tests.conftest import Database
from tests.listeners.harness import Harness, bundled_library, start_harness

NOW = datetime(2026, 6, 3, 12, 0)  # a Wednesday, naive UTC


def select(value: str | None, kind: str = "static_select") -> dict[str, Any]:
    return {
        "type": kind,
        "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}} if value else None,
    }


def setup_state(
    framework_id: str,
    level: str | None,
    *,
    areas: dict[str, str] | None = None,
    overrides_text: str | None = None,
    track: str | None = None,
    weekday: int = 0,
    at: str = "10:00",
    manager: str | None = None,
) -> dict[str, Any]:
    """`view.state.values` as Slack sends them for the setup modal."""
    values: dict[str, Any] = {
        OnboardingBlock.FRAMEWORK: {OnboardingAction.FRAMEWORK: select(framework_id)},
        OnboardingBlock.LEVEL: {OnboardingAction.LEVEL: select(level)},
        OnboardingBlock.WEEKDAY: {OnboardingAction.WEEKDAY: select(str(weekday))},
        OnboardingBlock.TIME: {OnboardingAction.TIME: {"type": "timepicker", "selected_time": at}},
        OnboardingBlock.MANAGER: {OnboardingAction.MANAGER: {"type": "users_select", "selected_user": manager}},
    }
    for area_id, area_level in (areas or {}).items():
        values[area_block_id(area_id)] = {OnboardingAction.AREA_LEVEL: select(area_level)}
    if overrides_text is not None:
        values[OnboardingBlock.OVERRIDES_TEXT] = {
            OnboardingAction.OVERRIDES_TEXT: {"type": "plain_text_input", "value": overrides_text}
        }
    if track is not None:
        values[OnboardingBlock.TRACK] = {OnboardingAction.TRACK: select(track)}
    return values


def open_modal(harness: Harness, user_id: str, framework_id: str | None = None) -> dict[str, Any]:
    """`/ladder setup`, then (optionally) pick another ladder; returns the modal as Slack holds it."""
    harness.command(user_id, "setup")
    view = harness.fake.opened_views[-1]
    if framework_id and framework_id != _initial(view, OnboardingBlock.FRAMEWORK):
        harness.action(
            user_id,
            OnboardingAction.FRAMEWORK,
            view=view,
            action={"selected_option": {"value": framework_id}},
        )
        view = harness.fake.updated_views[-1]
    return view


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(block for block in view["blocks"] if block.get("block_id") == block_id)


def _initial(view: dict[str, Any], block_id: str) -> str | None:
    element = _block(view, block_id)["element"]
    option = element.get("initial_option")
    return option["value"] if option else element.get("initial_time") or element.get("initial_user")


def person(harness: Harness, user_id: str) -> Person | None:
    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(harness.team_id)
        return uow.people.get_by_slack_id(workspace.id, user_id) if workspace else None


def test_a_new_person_gets_the_modal_with_defaults(harness: Harness) -> None:
    harness.add_slack_user("U1")
    view = open_modal(harness, "U1")
    assert harness.fake.last("views.open").ok
    assert view["callback_id"] == Callback.ONBOARDING
    assert view["title"]["text"] == "Set up growthbot"
    framework = harness.library.frameworks[0]
    assert _initial(view, OnboardingBlock.FRAMEWORK) == framework.id
    level_options = _block(view, OnboardingBlock.LEVEL)["element"]["options"]
    assert [o["value"] for o in level_options] == [level.id for level in framework.levels]
    assert _initial(view, OnboardingBlock.WEEKDAY) == "0"  # Monday
    assert _initial(view, OnboardingBlock.TIME) == "10:00"
    assert _initial(view, OnboardingBlock.MANAGER) is None
    for area in framework.areas:
        assert _block(view, area_block_id(area.id))["optional"] is True
    assert len(view["blocks"]) <= 100


def test_picking_another_ladder_rebuilds_the_level_choices(harness: Harness) -> None:
    harness.add_slack_user("U1")
    view = open_modal(harness, "U1", "luko-execution")
    update = harness.fake.last("views.update")
    assert update.ok and update.params.get("hash")
    level_options = _block(view, OnboardingBlock.LEVEL)["element"]["options"]
    assert [o["value"] for o in level_options] == ["1", "2", "3", "4", "5"]
    assert json.loads(view["private_metadata"]) == {"fw": "luko-execution"}
    assert {b.get("block_id") for b in view["blocks"]} >= {area_block_id(a) for a in ("delivery", "quality")}


def test_a_valid_submission_saves_everything_once_and_publishes_home(harness: Harness) -> None:
    harness.set_now(NOW)
    harness.add_slack_user("U1", "Ada Lovelace", tz="Europe/Paris")
    harness.add_slack_user("U2", "Grace Hopper", tz="America/New_York")
    view = open_modal(harness, "U1", "luko-execution")
    state = setup_state(
        "luko-execution", "2", areas={"quality": "4", "delivery": SAME_AS_OVERALL}, weekday=1, at="09:30", manager="U2"
    )
    response = harness.submit("U1", view, state)
    assert response.status == 200 and response.body == b""  # closes the modal

    with harness.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(harness.team_id)
        assert workspace is not None
        me = uow.people.get_by_slack_id(workspace.id, "U1")
        assert me is not None and me.display_name == "Ada Lovelace" and me.tz == "Europe/Paris"
        placement = uow.placements.current_for(me.id)
        assert placement is not None and placement.framework_id == "luko-execution"
        assert placement.levels == {"delivery": "2", "communication": "2", "quality": "4", "optimisation": "2"}
        schedule = uow.schedules.get_for(me.id)
        assert schedule is not None and (schedule.weekday, schedule.local_time) == (1, time(9, 30))
        expected = next_occurrence(weekday=1, local_time=time(9, 30), tz="Europe/Paris", after=NOW)
        assert schedule.next_due_at == expected == datetime(2026, 6, 9, 7, 30)
        [link] = uow.managers.pending_for(me.id)
        assert link.status is ManagerLinkStatus.PENDING
        boss = uow.people.get(link.manager_id)
        assert boss is not None and boss.slack_user_id == "U2"
        assert boss.display_name == "Grace Hopper" and boss.tz == "America/New_York"
        assert uow.managers.active_link_of(me.id) is None  # consent comes first

    home = harness.home_text("U1")
    assert "Execution growth track (Luko)" in home and "Every Tuesday at 09:30 (Europe/Paris)" in home


def test_submitting_the_same_setup_twice_changes_nothing(harness: Harness) -> None:
    harness.set_now(NOW)
    harness.add_slack_user("U1")
    harness.add_slack_user("U2")
    view = open_modal(harness, "U1", "luko-execution")
    state = setup_state("luko-execution", "3", manager="U2")
    harness.submit("U1", view, state)
    harness.set_now(datetime(2026, 6, 4, 8, 0))
    harness.submit("U1", view, state)
    with harness.deps.uow() as uow:
        me = person(harness, "U1")
        assert me is not None
        assert len(uow.placements.history_for(me.id)) == 1
        assert len(uow.managers.history_for(me.id)) == 1
        schedule = uow.schedules.get_for(me.id)
        assert schedule is not None and schedule.next_due_at == datetime(2026, 6, 8, 8, 0)
        assert len(uow.people.list_in_workspace(me.workspace_id)) == 2


@pytest.mark.parametrize(
    ("state", "block_id", "message"),
    [
        (setup_state("luko-execution", "VII"), OnboardingBlock.LEVEL, "Pick one of the levels of"),
        (setup_state("luko-execution", None), OnboardingBlock.LEVEL, "Pick one of the levels of"),
        (setup_state("luko-execution", "2", manager="U1"), OnboardingBlock.MANAGER, "can't be your own manager"),
        (setup_state("luko-execution", "2", manager="U0BOT"), OnboardingBlock.MANAGER, "growthbot can't be"),
        (setup_state("luko-execution", "2", areas={"quality": "IX"}), area_block_id("quality"), "Pick one of"),
        (setup_state("luko-execution", "2", at="25:99"), OnboardingBlock.TIME, "Pick a time"),
        (setup_state("luko-execution", "2", weekday=9), OnboardingBlock.WEEKDAY, "Pick a day"),
    ],
)
def test_invalid_combinations_get_inline_errors_and_nothing_is_saved(
    harness: Harness, state: dict[str, Any], block_id: str, message: str
) -> None:
    harness.add_slack_user("U1")
    view = open_modal(harness, "U1", "luko-execution")
    response = harness.submit("U1", view, state)
    assert response.status == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert message in answer["errors"][block_id]
    assert person(harness, "U1") is None
    assert harness.fake.count("views.publish") == 0


def test_several_problems_are_reported_together(harness: Harness) -> None:
    harness.add_slack_user("U1")
    view = open_modal(harness, "U1", "luko-execution")
    answer = harness.submit("U1", view, setup_state("luko-execution", "0", manager="U1")).json()
    assert set(answer["errors"]) == {OnboardingBlock.LEVEL, OnboardingBlock.MANAGER}


def test_a_form_built_for_another_ladder_is_sent_back(harness: Harness) -> None:
    harness.add_slack_user("U1")
    harness.command("U1", "setup")
    view = harness.fake.opened_views[-1]  # built for the first ladder; the update never happened
    answer = harness.submit("U1", view, setup_state("luko-execution", "2")).json()
    assert "another ladder" in answer["errors"][OnboardingBlock.FRAMEWORK]
    assert person(harness, "U1") is None


def test_a_track_can_be_chosen_and_cleared(harness: Harness) -> None:
    harness.add_slack_user("U1")
    view = open_modal(harness, "U1", "attest-engineering")
    tracks = _block(view, OnboardingBlock.TRACK)["element"]["options"]
    assert [o["value"] for o in tracks] == [NO_TRACK, "staff"]
    harness.submit("U1", view, setup_state("attest-engineering", "VII", track="staff"))
    me = person(harness, "U1")
    assert me is not None
    with harness.deps.uow() as uow:
        placement = uow.placements.current_for(me.id)
        assert placement is not None and placement.track == "staff"
    harness.submit("U1", view, setup_state("attest-engineering", "VII", track=NO_TRACK))
    with harness.deps.uow() as uow:
        placement = uow.placements.current_for(me.id)
        assert placement is not None and placement.track is None
        assert len(uow.placements.history_for(me.id)) == 2


def test_edit_setup_starts_from_the_current_setup(harness: Harness) -> None:
    harness.seed_person(
        "U1",
        framework_id="luko-execution",
        level="2",
        levels={"quality": "4"},
        weekday=3,
        local_time=time(16, 15),
        manager="U2",
        manager_status=ManagerLinkStatus.PENDING,
        tz="Asia/Tokyo",
    )
    harness.open_home("U1")
    harness.action("U1", HomeAction.EDIT_SETUP, view=harness.home("U1"))
    view = harness.fake.opened_views[-1]
    assert view["title"]["text"] == "Edit your setup"
    assert _initial(view, OnboardingBlock.FRAMEWORK) == "luko-execution"
    assert _initial(view, OnboardingBlock.LEVEL) == "2"
    assert _initial(view, area_block_id("quality")) == "4"
    assert _initial(view, area_block_id("delivery")) is None
    assert _initial(view, OnboardingBlock.WEEKDAY) == "3"
    assert _initial(view, OnboardingBlock.TIME) == "16:15"
    assert _initial(view, OnboardingBlock.MANAGER) == "U2"
    assert "Asia/Tokyo" in json.dumps(view["blocks"])


def test_changing_and_clearing_the_manager(harness: Harness) -> None:
    harness.seed_person("U1", framework_id="luko-execution", level="2", manager="U2")
    harness.add_slack_user("U3")
    view = open_modal(harness, "U1", "luko-execution")
    harness.submit("U1", view, setup_state("luko-execution", "2", manager="U3"))
    me = person(harness, "U1")
    assert me is not None
    with harness.deps.uow() as uow:
        active = uow.managers.active_link_of(me.id)
        assert active is not None  # the old manager stays until the report accepts the new one
        [pending] = uow.managers.pending_for(me.id)
        new_boss = uow.people.get(pending.manager_id)
        assert new_boss is not None and new_boss.slack_user_id == "U3"
    harness.submit("U1", view, setup_state("luko-execution", "2", manager=None))
    with harness.deps.uow() as uow:
        assert uow.managers.active_link_of(me.id) is None
        assert list(uow.managers.pending_for(me.id)) == []


# ---------------------------------------------------------------------------------------------------
# A ladder with more areas than the modal can hold selects for: one "area = level" text box instead


def _wide_ladder(areas: int = 30) -> str:
    lines = ["id: wide", "name: Wide Ladder", "version: 1", "levels:"]
    lines += [f'  - {{id: "L{i}", name: Level {i}}}' for i in range(1, 4)]
    lines.append("areas:")
    for a in range(areas):
        lines += [f"  - id: area-{a:02d}", f"    name: Area {a:02d}", "    cells:"]
        for i in range(1, 4):
            lines += [f'      - level: "L{i}"', "        behaviours:"]
            lines.append(f"          - {{id: area-{a:02d}-{i}, text: Does thing {a} at level {i}.}}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def wide_harness(sqlite_db: Database) -> Iterator[Harness]:
    library = Library([*bundled_library().frameworks, parse_framework(_wide_ladder())])
    with start_harness(sqlite_db, library=library) as running:
        yield running


def test_a_ladder_with_many_areas_takes_overrides_as_text(wide_harness: Harness) -> None:
    harness = wide_harness
    harness.add_slack_user("U1")
    view = open_modal(harness, "U1", "wide")
    assert len(view["blocks"]) <= 100
    assert not any(b.get("block_id", "").startswith(OnboardingBlock.AREA_PREFIX) for b in view["blocks"])
    assert _block(view, OnboardingBlock.OVERRIDES_TEXT)["optional"] is True

    bad = setup_state("wide", "L1", overrides_text="area 03 = L3\nnonsense\narea 99: L2\narea-04 = L9")
    errors = harness.submit("U1", view, bad).json()["errors"]
    message = errors[OnboardingBlock.OVERRIDES_TEXT]
    assert "line 2: write it as `area = level`" in message
    assert "line 3: no area “area 99”" in message and "line 4: no level “L9”" in message
    assert person(harness, "U1") is None

    good = setup_state("wide", "L1", overrides_text="area 03 = L3\n\n  Area 07 : level 2  ")
    assert harness.submit("U1", view, good).body == b""
    me = person(harness, "U1")
    assert me is not None
    with harness.deps.uow() as uow:
        placement = uow.placements.current_for(me.id)
        assert placement is not None
        assert placement.levels["area-03"] == "L3" and placement.levels["area-07"] == "L2"
        assert sum(1 for level in placement.levels.values() if level == "L1") == 28

    harness.action("U1", HomeAction.EDIT_SETUP, view=harness.home("U1"))
    prefilled = _block(harness.fake.opened_views[-1], OnboardingBlock.OVERRIDES_TEXT)["element"]["initial_value"]
    assert prefilled == "area-03 = L3\narea-07 = L2"


@pytest.mark.parametrize(
    ("manager", "options", "message"),
    [
        ("U7", {"is_bot": True}, "That's a bot, not a person"),
        ("U8", {"deleted": True}, "That Slack account is deactivated"),
        ("USLACKBOT", {}, "That's a bot, not a person"),
    ],
)
def test_a_bot_or_a_deactivated_account_can_not_be_the_manager(
    harness: Harness, manager: str, options: dict[str, Any], message: str
) -> None:
    harness.add_slack_user("U1")
    harness.add_slack_user(manager, **options)
    view = open_modal(harness, "U1", "luko-execution")
    answer = harness.submit("U1", view, setup_state("luko-execution", "2", manager=manager)).json()
    assert answer["response_action"] == "errors"
    assert message in answer["errors"][OnboardingBlock.MANAGER]
    assert person(harness, "U1") is None


def test_the_setup_is_saved_when_slack_can_not_say_who_the_manager_is(harness: Harness) -> None:
    harness.add_slack_user("U1")
    harness.add_slack_user("U2")
    view = open_modal(harness, "U1", "luko-execution")
    harness.fake.set_error("users.info", "internal_error", times=3)
    response = harness.submit("U1", view, setup_state("luko-execution", "2", manager="U2"))
    assert response.status == 200 and not response.body
    harness.settle()
    assert person(harness, "U1") is not None
