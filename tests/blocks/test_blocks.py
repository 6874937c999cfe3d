"""Block builders through `.to_dict()`: ids, limits and escaping, without Slack or a database."""

from __future__ import annotations

import json
from datetime import datetime, time

import pytest

from bot.blocks.help import help_blocks, unknown_subcommand_blocks
from bot.blocks.home import home_view
from bot.blocks.lookup import next_blocks, search_blocks, show_blocks
from bot.blocks.onboarding import ModalState, errors_for_slack, parse_setup_state, setup_modal
from bot.ids import OnboardingBlock, area_block_id
from bot.listeners.commands.ladder import command_lines, parse, suggest
from bot.services.home import EvidenceItem, HomeData, ReportRow, ScheduleInfo
from bot.services.lookup import AreaProgress, Standing, resolve_show
from bot.services.onboarding import FieldError, Prefill
from bot.testing.block_rules import VIEW_MAX_BYTES, message_blocks_errors, view_errors, view_size
from frameworks import Library
from frameworks.lookups import next_milestone
from frameworks.search import search
from storage.models import Cadence
from tests.listeners.harness import bundled_library

NOW = datetime(2026, 6, 3, 12, 0)


@pytest.fixture(scope="module")
def library() -> Library:
    return bundled_library()


def prefill(**fields: object) -> Prefill:
    values: dict[str, object] = {
        "framework_id": None,
        "level_id": None,
        "track": None,
        "overrides": {},
        "weekday": 0,
        "local_time": time(10, 0),
        "manager_user_id": None,
        "tz": None,
        "is_new": True,
    }
    values.update(fields)
    return Prefill(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("framework_id", ["attest-engineering", "luko-execution", "org-wide-engineering", "flow"])
def test_setup_modal_fits_and_validates(library: Library, framework_id: str) -> None:
    view = setup_modal(library, prefill(), framework_id).to_dict()
    assert view_errors(view, allowed_types=("modal",)) == []
    assert len(view["blocks"]) <= 100
    assert ModalState.load(view["private_metadata"]).framework_id == framework_id


def test_modal_state_survives_garbage() -> None:
    assert ModalState.load("not json").framework_id is None
    assert ModalState.load('{"fw": 3}').framework_id is None
    assert ModalState.load(None).framework_id is None


def test_parse_setup_state_reads_every_input() -> None:
    values = {
        OnboardingBlock.FRAMEWORK: {"onboarding_framework_select": {"selected_option": {"value": "luko-execution"}}},
        OnboardingBlock.LEVEL: {"onboarding_level_select": {"selected_option": {"value": "2"}}},
        area_block_id("quality"): {"onboarding_area_level_select": {"selected_option": {"value": "4"}}},
        area_block_id("delivery"): {"onboarding_area_level_select": {"selected_option": {"value": "__same__"}}},
        area_block_id("communication"): {"onboarding_area_level_select": {"selected_option": None}},
        OnboardingBlock.WEEKDAY: {"onboarding_weekday_select": {"selected_option": {"value": "4"}}},
        OnboardingBlock.TIME: {"onboarding_time_picker": {"selected_time": "07:45"}},
        OnboardingBlock.MANAGER: {"onboarding_manager_select": {"selected_user": "U2"}},
    }
    form = parse_setup_state({"state": {"values": values}})
    assert form.framework_id == "luko-execution" and form.level_id == "2"
    assert form.area_levels == {"quality": "4"}
    assert (form.weekday, form.local_time, form.manager_user_id) == (4, time(7, 45), "U2")
    empty = parse_setup_state({})
    assert empty.framework_id is None and empty.weekday is None and empty.local_time is None


def test_errors_map_to_block_ids() -> None:
    errors = [FieldError("level", "a"), FieldError("area:quality", "b"), FieldError("level", "c")]
    assert errors_for_slack(errors) == {OnboardingBlock.LEVEL: "a", area_block_id("quality"): "b"}


def _standing(library: Library, levels: dict[str, str], covered: set[str] = frozenset()) -> Standing:  # type: ignore[assignment]
    framework = library["attest-engineering"]
    milestone = next_milestone(framework, levels)
    areas = tuple(
        AreaProgress(step, {b.id: (1, NOW) for b in step.behaviours if b.id in covered}) for step in milestone.areas
    )
    return Standing(1, "ada", framework, levels, None, milestone, areas)


def test_lookup_answers_stay_within_fifty_blocks(library: Library) -> None:
    standing = _standing(library, {a.id: "I" for a in library["attest-engineering"].areas})
    answers = [
        next_blocks(standing, standing.areas),
        show_blocks(resolve_show(library, ["attest"])),
        show_blocks(resolve_show(library, ["attest", "vi"])),
        search_blocks("code", search(library, "code", limit=10)),
        help_blocks(command_lines()),
        unknown_subcommand_blocks("<!channel>" * 100, None, command_lines()),
    ]
    for blocks in answers:
        dicts = [block.to_dict() for block in blocks]
        assert message_blocks_errors(dicts) == []
        assert "<!channel>" not in json.dumps(dicts)


def _home(library: Library, **fields: object) -> HomeData:
    values: dict[str, object] = {
        "user_id": "U1",
        "standing": _standing(library, {"delivery": "III"}, {"delivery-iv-01"}),
        "recent": (),
        "schedule": ScheduleInfo(2, time(9, 0), Cadence.FORTNIGHTLY, "Europe/Paris", False, None, None, NOW),
        "reports": (),
        "hidden_reports": 0,
    }
    values.update(fields)
    return HomeData(**values)  # type: ignore[arg-type]


def test_home_view_with_everything_at_its_cap_is_valid(library: Library) -> None:
    item = EvidenceItem("<@U2> " + "x&y " * 2500, NOW, tuple(f"behaviour {i}" for i in range(30)), True)
    report = ReportRow("U9", "n", "Attest", "Level II", 3, 40, NOW)
    data = _home(library, recent=(item,) * 5, reports=(report,) * 20, hidden_reports=480)
    view = home_view(data, NOW).to_dict()
    assert view_errors(view, allowed_types=("home",)) == []
    assert len(view["blocks"]) <= 100 and view_size(view) < VIEW_MAX_BYTES
    text = json.dumps(view, ensure_ascii=False)
    assert "<@U2>" not in text and "&lt;@U2&gt;" in text
    assert "Every other Wednesday at 09:00 (Europe/Paris)" in text
    assert "…and 480 more." in text


def test_home_view_for_a_newcomer(library: Library) -> None:
    view = home_view(_home(library, standing=None, schedule=None), NOW).to_dict()
    assert view_errors(view, allowed_types=("home",)) == []
    assert "Set up growthbot" in json.dumps(view)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", ("help", "")),
        ("  NEXT   Delivery  ", ("next", "Delivery")),
        ("show &lt;b&gt; &amp;", ("show", "<b> &")),
        ("search code\nreview", ("search", "code\nreview")),
    ],
)
def test_parse(typed: str, expected: tuple[str, str]) -> None:
    assert parse(typed) == expected


def test_suggest() -> None:
    assert suggest("nxet") == "next"
    assert suggest("serach") == "search"
    assert suggest("find") == "search"  # an alias
    assert suggest("zebra") is None
