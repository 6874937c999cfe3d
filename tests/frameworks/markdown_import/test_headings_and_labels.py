"""Headings with levels outside areas or areas outside levels, and bold, colon and 'P1 | Junior' labels."""

from __future__ import annotations

from tests.frameworks.markdown_import.documents import loads
from tests.frameworks.markdown_import.layouts import cells, guesses, imported, levels


def test_title_over_level_headings_names_the_ladder_and_is_no_area() -> None:
    result = imported("headings-levels-outside.md")
    document = result.document
    assert document["name"] == "Platform Engineering Ladder"  # not named after the file
    assert document["description"] == "Our ladder for platform engineers. Each level builds on the one before it."
    assert [a["name"] for a in document["areas"]] == ["Craft", "Collaboration"]
    assert levels(result) == [("associate", "Associate"), ("senior", "Senior")]
    assert cells(result) == {
        ("Craft", "associate"): ["Writes clear, tested code for small tasks.", "Follows the on-call runbook."],
        ("Craft", "senior"): ["Designs services other teams depend on."],
        ("Collaboration", "associate"): ["Asks for reviews early.", "Shares what they learn in stand-up."],
        ("Collaboration", "senior"): "n/a",
    }
    assert guesses(result) == [
        "levels are the headings Associate, Senior, because no line marks a level ('Level 2', '**Senior**'); "
        "the headings above them read more like level names"
    ]
    assert result.unplaced == [(28, "Maintained by the platform guild. Last updated 2024-05-01.")]
    loads(document)


def test_areas_outside_level_headings() -> None:
    result = imported("headings-areas-outside.md")
    assert result.document["name"] == "Growth at Lumen"
    assert [a["name"] for a in result.document["areas"]] == ["Delivery", "Operations"]
    assert result.document["areas"][0]["description"] == "What shipping looks like here."
    assert levels(result) == [("junior", "Junior"), ("senior", "Senior")]
    assert cells(result) == {
        ("Delivery", "junior"): ["Ships small changes behind flags.", "Writes a test for each bug fix."],
        ("Delivery", "senior"): ["Breaks projects into milestones."],
        ("Operations", "junior"): ["Joins the on-call rotation as a shadow."],
        ("Operations", "senior"): ["Leads incident reviews."],
    }
    assert len(result.guesses) == 1 and result.unplaced == []


def test_bold_level_labels() -> None:
    result = imported("bold-labels.md")
    assert levels(result) == [("Junior", "Junior"), ("Senior", "Senior")]
    assert cells(result) == {
        ("Code quality", "Junior"): ["Writes readable code.", "Responds to review comments."],
        ("Code quality", "Senior"): ["Sets the code style of the service."],
        ("Reliability", "Junior"): ["Adds alerts for new endpoints."],
        ("Reliability", "Senior"): ["Owns the service's error budget."],
    }
    # The same bold labels in the same order under every area heading: structure, not a guess.
    assert guesses(result) == []
    loads(result.document)


def test_colon_level_labels_are_explicit() -> None:
    result = imported("colon-labels.md")
    assert levels(result) == [("P1", "P1"), ("P2", "P2")]
    assert cells(result) == {
        ("Automation", "P1"): ["Automates their own repetitive tasks."],
        ("Automation", "P2"): ["Automates the team's deploys.", "Reviews others' scripts."],
        ("Security", "P1"): ["Rotates secrets on schedule."],
        ("Security", "P2"): ["Runs the quarterly access review."],
    }
    assert result.is_certain


def test_code_and_name_rows() -> None:
    result = imported("code-name-rows.md")
    assert result.document["name"] == "Engineering Management"
    assert levels(result) == [("P1", "Junior"), ("P2", "Senior"), ("P3", "Principal")]
    assert cells(result) == {
        ("Engineering Management", "P1"): ["Runs a good one-on-one.", "Writes a weekly update."],
        ("Engineering Management", "P2"): ["Hires for the team."],
        ("Engineering Management", "P3"): ["Shapes the org's structure."],
    }
    assert result.is_certain
    loads(result.document)
