"""The pure part of digests: grouping, coverage, talking points (no database)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.digest_content import POINTS_KEY, BehaviourStat, EvidenceItem, TagRef, TalkingPointKind
from bot.services.digests import NOTHING_NEW, DigestInputs, assemble_digest
from storage.models import Person
from tests.services.digest_data import LADDER_ID, load_ladder

LIBRARY = load_ladder()
FRAMEWORK = LIBRARY[LADDER_ID]
END = datetime(2025, 3, 10, 14, 0)


def _tag(behaviour_id: str) -> TagRef:
    b = FRAMEWORK.behaviour(behaviour_id)
    return TagRef(FRAMEWORK.id, b.id, b.area_id, b.level_id, b.text)


def _inputs(**kwargs) -> DigestInputs:
    defaults = dict(
        report=Person(id=2, workspace_id=1, slack_user_id="UR", display_name="Riley Report", tz="UTC"),
        manager=None,
        period_start=END - timedelta(days=7),
        period_end=END,
        framework=FRAMEWORK,
        framework_id=FRAMEWORK.id,
        levels_by_area={"delivery": "1", "quality": "1", "mentoring": "1"},
    )
    defaults.update(kwargs)
    return DigestInputs(**defaults)


def test_groups_follow_ladder_order_and_untagged_come_last() -> None:
    items = [
        EvidenceItem(1, END - timedelta(days=1), "mentored", tags=(_tag("mentoring-2-01"),)),
        EvidenceItem(2, END - timedelta(days=2), "no tag"),
        EvidenceItem(3, END - timedelta(days=3), "shipped", tags=(_tag("delivery-2-02"),)),
        EvidenceItem(4, END - timedelta(days=4), "shipped early", tags=(_tag("delivery-2-01"), _tag("quality-2-01"))),
    ]
    content = assemble_digest(_inputs(new_items=items))
    assert [a.area_name for a in content.new_evidence] == ["Delivery", "Quality & Testing", "Mentoring", "Not tagged"]
    delivery = content.new_evidence[0]
    assert [b.behaviour_id for b in delivery.behaviours] == ["delivery-2-01", "delivery-2-02"]
    assert delivery.behaviours[0].level_name == "Level 2"
    assert content.new_evidence_count == 4  # item 4 shows under two behaviours but counts once
    assert content.notes == ()


def test_coverage_counts_behaviours_with_evidence_and_the_change() -> None:
    stats = {"delivery-2-01": BehaviourStat(3, END - timedelta(days=2)), "quality-2-02": BehaviourStat(1, END)}
    content = assemble_digest(_inputs(stats=stats), previous_coverage={"delivery": {"covered": 0, "total": 3}})
    by_area = {c.area_id: c for c in content.coverage}
    assert (by_area["delivery"].covered, by_area["delivery"].total, by_area["delivery"].change) == (1, 3, 1)
    assert (by_area["quality"].covered, by_area["quality"].total, by_area["quality"].change) == (1, 2, None)
    assert (by_area["mentoring"].covered, by_area["mentoring"].total) == (0, 1)
    snapshot = content.coverage_snapshot()
    assert snapshot.pop(POINTS_KEY)["last"] == [p.key for p in content.talking_points]
    assert snapshot == {
        "delivery": {"covered": 1, "total": 3, "level": "2"},
        "quality": {"covered": 1, "total": 2, "level": "2"},
        "mentoring": {"covered": 0, "total": 1, "level": "2"},
    }


def test_an_area_measured_against_another_level_last_time_shows_no_change() -> None:
    previous = {
        "delivery": {"covered": 3, "total": 3, "level": "2"},  # promoted since: now measured against level 3
        "quality": {"covered": 0, "total": 2, "level": "2"},
        "mentoring": {"covered": 0, "total": 1},  # an old snapshot, without the level
    }
    stats = {"quality-2-01": BehaviourStat(1, END)}
    levels = {"delivery": "2", "quality": "1", "mentoring": "1"}
    content = assemble_digest(_inputs(stats=stats, levels_by_area=levels), previous)
    by_area = {c.area_id: c for c in content.coverage}
    assert (by_area["delivery"].level_name, by_area["delivery"].change, by_area["delivery"].new_level) == (
        "Level 3",
        None,
        True,
    )
    assert (by_area["quality"].change, by_area["quality"].new_level) == (1, False)
    assert (by_area["mentoring"].change, by_area["mentoring"].new_level) == (0, False)
    assert not content.coverage_unchanged


def test_three_talking_points_one_of_each_kind() -> None:
    stats = {
        "delivery-2-01": BehaviourStat(2, END - timedelta(weeks=6)),
        "delivery-2-02": BehaviourStat(1, END - timedelta(weeks=5)),
        "delivery-2-03": BehaviourStat(1, END - timedelta(weeks=4, days=1)),
        "quality-2-01": BehaviourStat(1, END - timedelta(days=3)),
        "quality-2-02": BehaviourStat(1, END - timedelta(days=3)),
    }
    flagged = [EvidenceItem(9, END - timedelta(days=40), "Want to talk about the outage", to_discuss=True)]
    content = assemble_digest(_inputs(stats=stats, flagged=flagged))
    kinds = [p.kind for p in content.talking_points]
    assert kinds == [TalkingPointKind.FLAGGED, TalkingPointKind.NEVER_EVIDENCED, TalkingPointKind.QUIET_AREA]
    assert "Riley flagged an item to discuss" in content.talking_points[0].text
    assert content.talking_points[0].items == tuple(flagged)
    assert "Mentors a junior engineer" in content.talking_points[1].text
    assert content.talking_points[2].text == "Delivery has been quiet for 4 weeks"


def test_talking_points_fill_up_from_other_kinds_and_stay_at_three() -> None:
    content = assemble_digest(_inputs())  # nothing at all: six never-evidenced behaviours
    assert len(content.talking_points) == 3
    assert {p.kind for p in content.talking_points} == {TalkingPointKind.NEVER_EVIDENCED}


def test_area_quiet_for_less_than_four_weeks_is_not_a_talking_point() -> None:
    stats = {b.id: BehaviourStat(1, END - timedelta(weeks=3)) for b in FRAMEWORK.behaviours}
    content = assemble_digest(_inputs(stats=stats))
    assert content.talking_points == ()


def test_nothing_new_note_and_no_placement_note() -> None:
    content = assemble_digest(_inputs())
    assert content.nothing_new and content.notes[0] == NOTHING_NEW
    unplaced = assemble_digest(_inputs(framework=None, framework_id=None, levels_by_area={}))
    assert unplaced.coverage == () and any("Not placed" in note for note in unplaced.notes)
    gone = assemble_digest(_inputs(framework=None, framework_id="removed-ladder"))
    assert any("removed-ladder" in note for note in gone.notes)
    bad_level = assemble_digest(_inputs(levels_by_area={"delivery": "9"}))
    assert any("no longer on the" in note for note in bad_level.notes)


def test_at_top_areas_are_reported_not_counted() -> None:
    content = assemble_digest(_inputs(levels_by_area={"delivery": "3", "quality": "1", "mentoring": "1"}))
    delivery = next(c for c in content.coverage if c.area_id == "delivery")
    assert delivery.at_top and delivery.total == 0
    assert "delivery" not in content.coverage_snapshot()
