"""Tables as companies write them: long form (one row per behaviour) and matrices in either orientation."""

from __future__ import annotations

from tests.frameworks.markdown_import.documents import behaviours, loads
from tests.frameworks.markdown_import.layouts import cells, guesses, imported, levels


def test_long_form_with_examples_br_and_inherited_area() -> None:
    result = imported("long-form.md")
    document = result.document
    assert document["name"] == "Mobile Engineering Ladder"
    assert document["description"].startswith("This ladder describes what we expect")
    assert [a["name"] for a in document["areas"]] == ["Craft", "Collaboration"]
    assert levels(result) == [("L1", "L1"), ("L2", "L2"), ("L3", "L3")]
    assert cells(result) == {
        ("Craft", "L1"): [
            "Ships small features with guidance.",
            "Writes unit tests for new code.",  # <br> splits the cell in two
            "Fixes flaky tests they find.",
        ],
        ("Craft", "L2"): ["Owns a feature from design to release."],
        ("Collaboration", "L1"): ["Asks for help early."],
        ("Collaboration", "L2"): "n/a",
        ("Collaboration", "L3"): ["Mentors two engineers", "Runs the guild meeting"],
    }
    first = behaviours(document)[0]
    assert first["examples"] == ["Added a settings toggle"]  # the Examples column is kept
    assert guesses(result) == [
        "a blank Area or Level cell repeats the row above, because rows of a long-form table with the cell "
        "left empty continue the area or level above them"
    ]
    assert result.unplaced == [(15, "_Last reviewed March 2024 by the mobile guild._")]  # the footer
    loads(document)


def test_long_form_level_first_with_a_notes_column_and_a_blank_behaviour() -> None:
    result = imported("long-form-notes.md")
    assert levels(result) == [("P1", "P1"), ("P2", "P2"), ("P3", "P3")]
    assert cells(result) == {
        ("Analysis", "P1"): ["Writes correct SQL for a well-defined question."],
        ("Analysis", "P2"): ["Chooses the right method for an ambiguous question."],
        ("Analysis", "P3"): ["Sets the analysis standards of the team."],
        ("Communication", "P1"): ["Explains a chart to a stakeholder."],
    }
    assert behaviours(result.document)[0]["examples"] == ["Notes: Pairing is fine"]
    assert result.guesses == [] and result.unplaced == []
    loads(result.document)


def test_long_form_without_area_column_takes_the_heading_above_and_drops_checkboxes() -> None:
    result = imported("long-form-one-area.md")
    assert result.document["name"] == "Support Ladder"
    assert levels(result) == [("Associate", "Associate"), ("Senior", "Senior")]
    assert cells(result) == {
        ("Customer care", "Associate"): ["Answers tickets within the SLA.", "Escalates bugs with reproduction steps"],
        ("Customer care", "Senior"): ["Writes help-centre articles", "Trains new starters"],
    }
    assert result.is_certain
    loads(result.document)


def test_matrix_with_levels_as_columns_is_detected_and_the_guess_says_why() -> None:
    result = imported("matrix-columns.md")
    assert result.document["name"] == "Design Ladder"
    assert result.document["description"] == "How designers grow at Northwind."
    assert [a["name"] for a in result.document["areas"]] == ["Craft", "Research", "Communication"]
    assert levels(result) == [("D1", "D1"), ("D2", "D2"), ("D3", "D3")]
    assert cells(result) == {
        ("Craft", "D1"): ["Uses the design system."],
        ("Craft", "D2"): ["Extends the design system.", "Documents new components."],
        ("Craft", "D3"): ["Owns the design system."],
        ("Research", "D1"): ["Takes notes in interviews.", "Synthesises notes into findings."],
        ("Research", "D2"): ["Runs interviews.", "Plans the research roadmap."],
        ("Research", "D3"): "n/a",
        ("Communication", "D2"): ["Presents work at crits."],
        ("Communication", "D3"): ["Presents to leadership", "Writes the design newsletter"],  # inner bullets
    }
    assert guesses(result) == [
        "levels are the columns, because D1, D2, D3 look like level labels (use --levels rows if they are areas)"
    ]
    assert result.unplaced == [(12, "Questions? Ask in #design-ladder.")]
    loads(result.document)


def test_levels_option_overrides_the_guess() -> None:
    result = imported("matrix-columns.md", levels="rows")
    assert result.guesses == []
    assert [level_id for level_id, _name in levels(result)] == ["Craft", "Research", "Communication"]


def test_matrix_with_levels_as_rows() -> None:
    result = imported("matrix-rows.md")
    assert [a["name"] for a in result.document["areas"]] == ["Automation", "Exploratory testing"]
    assert levels(result) == [("Junior", "Junior"), ("Mid", "Mid"), ("Senior", "Senior")]
    assert cells(result) == {
        ("Automation", "Junior"): ["Runs the existing suites."],
        ("Automation", "Mid"): ["Writes new suites."],
        ("Automation", "Senior"): ["Designs the test architecture."],
        ("Exploratory testing", "Junior"): ["Follows test charters."],
        ("Exploratory testing", "Mid"): ["Writes test charters."],
        ("Exploratory testing", "Senior"): ["Coaches others in exploratory testing."],
    }
    assert guesses(result)[0].startswith("levels are the rows, because Junior, Mid, Senior look like level labels")


def test_a_matrix_nothing_explains_is_a_reported_guess() -> None:
    result = imported("matrix-ambiguous.md")
    assert guesses(result) == [
        "levels are the rows, because neither the header nor the first column looks like level labels; the "
        "header is read as areas (use --levels columns if not)"
    ]
    columns = imported("matrix-ambiguous.md", levels="columns")
    assert [a["name"] for a in columns.document["areas"]] == ["Delivery", "Quality"]
    assert columns.guesses == []
