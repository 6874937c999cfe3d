from __future__ import annotations

import pytest

from frameworks import (
    Framework,
    Library,
    current_level_label,
    list_frameworks,
    load_library,
    match_area,
    match_framework,
    match_level,
    next_milestone,
    show,
    uniform_levels,
)
from frameworks.lookups import AmbiguousMatch, AreaView, CellView, FrameworkOverview, LevelView


@pytest.fixture(scope="module")
def bundled() -> Library:
    return load_library()


def test_list_frameworks(library: Library) -> None:
    summaries = list_frameworks(library)
    assert [s.id for s in summaries] == ["acme-engineering", "small-milestones"]
    acme = summaries[0]
    assert (acme.name, acme.area_count, acme.level_count, acme.behaviour_count, acme.status) == (
        "Acme Engineering Ladder",
        4,
        4,
        18,
        "complete",
    )
    assert summaries[1].status == "incomplete"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acme-engineering", "acme-engineering"),
        ("ACME", "acme-engineering"),
        ("Acme Engineering Ladder", "acme-engineering"),
        ("engineering", "acme-engineering"),
        ("handbook", "acme-engineering"),  # only in `source`
        ("small", "small-milestones"),
        ("milestones track", "small-milestones"),
        ("  Small-Milestones ", "small-milestones"),
        ("nothing like it", None),
        ("", None),
    ],
)
def test_match_framework(library: Library, text: str, expected: str | None) -> None:
    found = match_framework(library, text)
    assert (found.id if found else None) == expected


def test_ambiguous_area_lists_the_candidates(acme: Framework) -> None:
    with pytest.raises(AmbiguousMatch) as caught:
        match_area(acme, "technical")  # the group name of three areas
    assert caught.value.kind == "area"
    assert [ident for ident, _ in caught.value.candidates] == ["quality", "design", "incidents"]
    assert "Design & Architecture (design)" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("design", "design"),
        ("Design & Architecture", "design"),
        ("architecture", "design"),
        ("arch", "design"),
        ("QUALITY", "quality"),
        ("testing", "quality"),
        ("incident resp", "incidents"),
        ("mentor", "mentoring"),
        ("people", "mentoring"),  # its group's name
        ("cooking", None),
    ],
)
def test_match_area(acme: Framework, text: str, expected: str | None) -> None:
    found = match_area(acme, text)
    assert (found.id if found else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("IV", "IV"),
        ("iv", "IV"),
        ("4", "IV"),
        ("level 4", "IV"),
        ("Level II", "II"),
        ("l2", "II"),
        ("3", "III"),
        ("v", None),
        ("9", None),
    ],
)
def test_match_roman_level(acme: Framework, text: str, expected: str | None) -> None:
    found = match_level(acme, text)
    assert (found.id if found else None) == expected


def test_match_numbered_level(library: Library) -> None:
    small = library["small-milestones"]
    assert match_level(small, "4").id == "4"  # type: ignore[union-attr]
    assert match_level(small, "milestone 2").id == "2"  # type: ignore[union-attr]
    assert match_level(small, "m3").id == "3"  # type: ignore[union-attr]
    assert match_level(small, "iv").id == "4"  # type: ignore[union-attr]
    with pytest.raises(AmbiguousMatch) as caught:
        match_level(small, "milestone")
    assert [ident for ident, _ in caught.value.candidates] == ["1", "2", "3", "4"]


def test_matching_on_the_bundled_ladders(bundled: Library) -> None:
    attest = match_framework(bundled, "attest")
    assert attest is not None and attest.id == "attest-engineering"
    design = match_area(attest, "design")
    assert design is not None and design.name == "Design & Architecture"
    assert match_level(attest, "iv").id == "IV"  # type: ignore[union-attr]
    assert match_level(attest, "4").id == "IV"  # type: ignore[union-attr]
    luko = match_framework(bundled, "luko")
    assert luko is not None
    assert match_level(luko, "4").name == "Milestone 4"  # type: ignore[union-attr]
    flow = match_framework(bundled, "flow")
    assert flow is not None
    assert match_level(flow, "p2").id == "P2"  # type: ignore[union-attr]
    assert match_level(flow, "2").id == "P2"  # type: ignore[union-attr]


def test_show_overview(acme: Framework) -> None:
    view = show(acme)
    assert isinstance(view, FrameworkOverview)
    assert [(s.group.id if s.group else None, [a.id for a in s.areas]) for s in view.sections] == [
        ("technical", ["quality", "design", "incidents"]),
        ("people", ["mentoring"]),
    ]


def test_show_area_across_levels(acme: Framework) -> None:
    view = show(acme, area="mentoring")
    assert isinstance(view, AreaView)
    assert [c.level.id for c in view.cells] == ["I", "II", "III", "IV"]
    assert view.cells[0].not_applicable and view.cells[0].is_empty
    assert [b.id for b in view.cells[2].behaviours] == ["mentoring-iii-01", "mentoring-iii-02"]


def test_show_level_across_areas_and_one_cell(acme: Framework) -> None:
    view = show(acme, level=acme.level("II"))
    assert isinstance(view, LevelView)
    assert [c.area.id for c in view.cells] == ["quality", "design", "incidents", "mentoring"]
    cell = show(acme, area="quality", level="I")
    assert isinstance(cell, CellView)
    assert cell.summary == "Tests their own changes."
    assert [b.id for b in cell.behaviours] == ["quality-i-01", "quality-i-02"]


def test_show_missing_cell(library: Library) -> None:
    small = library["small-milestones"]
    cell = show(small, area="delivery", level="3")
    assert isinstance(cell, CellView)
    assert cell.cell is None and cell.is_empty and not cell.not_applicable


def test_next_milestone_from_one_level(acme: Framework) -> None:
    milestone = next_milestone(acme, uniform_levels(acme, "II"))
    assert [(s.area.id, s.current_level.id, s.next_level.id) for s in milestone.areas] == [  # type: ignore[union-attr]
        ("quality", "II", "III"),
        ("design", "II", "III"),
        ("incidents", "II", "III"),
        ("mentoring", "II", "III"),
    ]
    # The staff-only mentoring behaviour is left out without a track.
    assert [b.id for b in milestone.behaviours] == [
        "quality-iii-01",
        "design-iii-01",
        "incidents-iii-01",
        "mentoring-iii-01",
    ]
    assert not milestone.at_top_everywhere
    assert not any(step.at_top or step.cell_empty for step in milestone.areas)


def test_next_milestone_includes_track_behaviours_only_for_that_track(acme: Framework) -> None:
    levels = uniform_levels(acme, "II")
    staff = next_milestone(acme, levels, track="staff")
    assert [b.id for b in staff.step("mentoring").behaviours] == ["mentoring-iii-01", "mentoring-iii-02"]
    other = next_milestone(acme, levels, track="management")
    assert [b.id for b in other.step("mentoring").behaviours] == ["mentoring-iii-01"]


def test_next_milestone_reports_empty_and_na_cells_honestly(acme: Framework) -> None:
    milestone = next_milestone(acme, {"quality": "III", "incidents": "III", "mentoring": "III", "design": "IV"})
    quality = milestone.step("quality")
    assert quality.next_level.id == "IV"  # type: ignore[union-attr]
    assert [b.id for b in quality.behaviours] == ["quality-iv-01"]  # the staff one is excluded

    incidents = milestone.step("incidents")
    assert incidents.next_level.id == "IV" and incidents.cell_empty  # type: ignore[union-attr]
    assert incidents.summary == "Incident leadership is a staff-track expectation."

    mentoring = milestone.step("mentoring")
    assert mentoring.next_level.id == "IV" and mentoring.cell_empty and mentoring.not_applicable  # type: ignore[union-attr]

    design = milestone.step("design")
    assert design.at_top and design.next_level is None and not design.cell_empty and design.behaviours == ()
    assert not milestone.at_top_everywhere


def test_next_milestone_at_the_top_everywhere(acme: Framework) -> None:
    milestone = next_milestone(acme, uniform_levels(acme, "IV"), track="staff")
    assert milestone.at_top_everywhere
    assert milestone.behaviours == ()


def test_next_milestone_unplaced_and_stale_areas(library: Library) -> None:
    small = library["small-milestones"]
    milestone = next_milestone(small, {"delivery": "2", "removed-area": "1"})
    delivery, communication = milestone.areas
    assert delivery.next_level.id == "3" and delivery.cell_empty and not delivery.not_applicable  # type: ignore[union-attr]
    assert communication.current_level is None and communication.next_level.id == "1"  # type: ignore[union-attr]
    assert [b.id for b in communication.behaviours] == ["communication-1-01"]
    with pytest.raises(KeyError):
        next_milestone(small, {"delivery": "9"})


def test_current_level_label(acme: Framework) -> None:
    assert current_level_label(acme, uniform_levels(acme, "III")) == "Level III"
    assert current_level_label(acme, {"quality": "II", "design": "IV", "gone": "I"}) == "Level II – Level IV"
    assert current_level_label(acme, {}) == "not placed"
