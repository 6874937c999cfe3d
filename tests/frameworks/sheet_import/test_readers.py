"""Each format's reader on a realistic ladder with quirks: areas, levels in order and every behaviour text."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest

from frameworks.loader import parse_framework
from frameworks.markdown_import import dump_yaml
from frameworks.markdown_import.imported import Guess
from frameworks.sheet_import import SheetImportError, detect_format, import_file

DATA = Path(__file__).parent / "data"


def read(name: str, **options: Any) -> Any:
    return import_file((DATA / name).read_bytes(), filename=name, **options)


def shape(document: dict[str, Any]) -> tuple[list[str], list[str], dict[tuple[str, str], list[str] | str]]:
    """(area names, level ids in order, {(area, level): behaviour texts, or 'n/a'})."""
    cells: dict[tuple[str, str], list[str] | str] = {}
    for area in document["areas"]:
        for cell in area.get("cells", ()):
            key = (area["name"], cell["level"])
            cells[key] = "n/a" if cell.get("not_applicable") else [b["text"] for b in cell.get("behaviours", ())]
    return [a["name"] for a in document["areas"]], [lv["id"] for lv in document["levels"]], cells


def loads(document: dict[str, Any]) -> None:
    parse_framework(dump_yaml(document), "<imported>")


def test_long_european_csv_with_bom_semicolons_merged_cells_and_notes() -> None:
    result = read("long-european.csv")
    areas, levels, cells = shape(result.document)
    assert result.document["name"] == "Platform Team Ladder"
    assert result.document["description"] == "How we grow engineers on the platform team. Reviewed every half."
    assert areas == ["Delivery", "Collaboration"]
    assert levels == ["E1", "E2", "E3"]
    assert cells == {
        ("Delivery", "E1"): [
            "Ships small, well-scoped changes with guidance.",
            "Asks for help when blocked for more than a day.",
        ],
        ("Delivery", "E2"): ["Breaks a feature into reviewable pull requests; keeps them small."],
        ("Delivery", "E3"): ["Plans a quarter's work for a small team."],
        ("Collaboration", "E1"): ["Gives kind, specific code review comments."],
        ("Collaboration", "E2"): "n/a",
        ("Collaboration", "E3"): ["Mentors one or two engineers."],
    }
    e2 = result.document["areas"][0]["cells"][1]["behaviours"][0]
    assert e2["examples"] == ["Split the billing export into four PRs", "Kept each under 400 lines"]
    assert result.unplaced == [(13, "Notes: levels map to HR bands B1-B3.")]
    guesses = "\n".join(map(str, result.guesses))
    assert "line 1: cells are separated by semicolons" in guesses
    assert "2 row(s) with a blank area or level cell belong to the one above, because that is how a sheet" in guesses
    assert "column 'Owner' (5 values) not imported, because it is not a ladder field" in guesses
    assert all(isinstance(guess, Guess) for guess in result.guesses)
    loads(result.document)


def test_wide_csv_with_levels_as_columns_bullets_checkboxes_br_blank_and_na() -> None:
    result = read("wide-levels-columns.csv")
    areas, levels, cells = shape(result.document)
    assert areas == ["Technical skills", "Communication", "On-call"]
    assert levels == ["L1", "L2", "L3"]
    assert cells == {
        ("Technical skills", "L1"): ["Writes tested code", "Fixes bugs in one service"],
        ("Technical skills", "L2"): ["Designs a service's API", "Reviews others' designs"],
        ("Technical skills", "L3"): ["Sets technical direction for a team"],
        ("Communication", "L1"): ["Shares progress in stand-up"],
        ("Communication", "L3"): ["Writes RFCs that others adopt", "Presents at all-hands"],
        ("On-call", "L1"): "n/a",
        ("On-call", "L2"): ["Joins the on-call rota"],
        ("On-call", "L3"): ["Leads incident reviews"],
    }
    assert "levels are the columns, because L1, L2, L3 look like level labels" in "\n".join(map(str, result.guesses))
    assert result.unplaced == [(7, "Last reviewed March 2024")]
    loads(result.document)


def test_wide_tsv_with_levels_as_rows_and_the_override() -> None:
    result = read("wide-levels-rows.tsv")
    areas, levels, cells = shape(result.document)
    assert areas == ["Craft", "Impact", "People"]
    assert levels == ["Junior Engineer", "Senior Engineer", "Staff Engineer"]
    assert cells == {
        ("Craft", "Junior Engineer"): ["Learns the codebase", "Writes unit tests"],
        ("Craft", "Senior Engineer"): ["Designs systems"],
        ("Craft", "Staff Engineer"): ["Sets standards"],
        ("Impact", "Junior Engineer"): ["Completes tickets"],
        ("Impact", "Senior Engineer"): ["Owns a product area"],
        ("Impact", "Staff Engineer"): ["Shapes the roadmap"],
        ("People", "Senior Engineer"): ["Mentors juniors", "Runs interviews"],
        ("People", "Staff Engineer"): "n/a",
    }
    assert "levels are the rows, because Junior Engineer" in "\n".join(map(str, result.guesses))
    assert result.unplaced == [(5, "* Seniority words are the HR titles.")]
    swapped = read("wide-levels-rows.tsv", levels="columns")
    assert [lv["id"] for lv in swapped.document["levels"]] == ["Craft", "Impact", "People"]
    assert Guess("levels are the columns", "--levels columns says so") in swapped.guesses


def test_xlsx_wide_sheet_with_numbers_blank_cells_and_a_second_sheet() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Matrix"
    sheet.append(["Engineering ladder 2024"])
    sheet.append([None, 1, 2, 3])
    sheet.append(["Code quality", "Writes readable code\nAdds tests", None, "Sets the team's standards"])
    sheet.append(["Ownership", "NA", "Owns a feature", "Owns a system"])
    sheet.append([None, None, "Is on call for it", None])
    sheet.append(["Notes: see the wiki for examples"])
    workbook.create_sheet("Changelog").append(["2024-01", "first version"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = import_file(buffer.getvalue(), filename="ladder.xlsx")
    areas, levels, cells = shape(result.document)
    assert result.document["name"] == "Engineering ladder 2024"
    assert areas == ["Code quality", "Ownership"]
    assert levels == ["1", "2", "3"]
    assert cells == {
        ("Code quality", "1"): ["Writes readable code", "Adds tests"],
        ("Code quality", "3"): ["Sets the team's standards"],
        ("Ownership", "1"): "n/a",
        ("Ownership", "2"): ["Owns a feature", "Is on call for it"],
        ("Ownership", "3"): ["Owns a system"],
    }
    assert result.unplaced == [(6, "Notes: see the wiki for examples")]
    assert Guess("read the first sheet with content, 'Matrix'", "one sheet is one ladder; not read: 'Changelog'") in (
        result.guesses
    )
    loads(result.document)


def test_xlsx_without_openpyxl_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(SheetImportError, match=r"pip install 'growthbot\[xlsx\]'"):
        import_file(b"PK\x03\x04rest", filename="ladder.xlsx")


def test_front_matter_topics_with_example_criteria_keep_their_examples() -> None:
    result = read("frontmatter-web.md")
    areas, levels, cells = shape(result.document)
    assert result.document["name"] == "Web Engineering"
    assert result.document["description"] == "The web engineering progression framework, adapted from our handbook."
    assert areas == ["Technical Skills", "Impact"]
    assert levels == ["1", "2", "3"]
    assert cells == {
        ("Technical Skills", "1"): [
            "Writes semantic, accessible HTML",
            "Uses the browser dev tools to debug layout",
            "Builds components from the design system",
        ],
        ("Technical Skills", "3"): ["Chooses the framework for a new product"],
        ("Impact", "2"): ["Owns a feature from spec to release"],
    }
    behaviours = {b["text"]: b for a in result.document["areas"] for c in a["cells"] for b in c["behaviours"]}
    assert behaviours["Builds components from the design system"]["examples"] == [
        "Built the new date picker from design tokens",
        "Replaced a bespoke modal with the shared one",
    ]
    assert behaviours["Owns a feature from spec to release"]["examples"] == ["Shipped saved searches"]
    assert [(n, text.split(":")[0]) for n, text in result.unplaced] == [(33, "Impact")]
    framework = parse_framework(dump_yaml(result.document), "<imported>")
    assert framework.behaviour("impact-2-01").examples == ("Shipped saved searches",)


def test_json_in_growthbots_schema_is_read_as_is() -> None:
    result = read("ladder.json")
    areas, levels, cells = shape(result.document)
    assert areas == ["Delivery"] and levels == ["1", "2"]
    assert cells == {("Delivery", "1"): ["Ships tested changes."], ("Delivery", "2"): ["Plans a team's quarter."]}
    assert "status" not in result.document  # the schema's defaults are not written into the ladder
    loads(result.document)


def test_json_schema_errors_name_the_line_and_place() -> None:
    with pytest.raises(SheetImportError) as error:
        read("ladder-bad.json")
    message = str(error.value)
    assert message.startswith("line 9: unknown key 'txet' in area 'delivery', cell for level '1'")
    assert "did you mean 'text'?" in message
    with pytest.raises(SheetImportError, match=r"line 2, column 1: not valid JSON"):
        import_file(b'{"id": "x",\n}', filename="x.json")


@pytest.mark.parametrize(
    ("raw", "filename", "expected"),
    [
        (b"PK\x03\x04...", "ladder.bin", "xlsx"),
        (b'{"id": "x"}', "ladder.txt", "json"),
        (b"---\ntitle: X\ntopics: []\n---\n", "web.md", "frontmatter"),
        (b"---\ntitle: X\n---\n# Delivery\nLevel 1\n- Ships.\n", "notes.md", "md"),
        (b"Area;Level;Behaviour\nDelivery;1;Ships\n", "export", "csv"),
        (b"Area\tLevel\tBehaviour\nDelivery\t1\tShips\n", "export", "tsv"),
        (b"# Delivery\nLevel 1\n- Ships.\n", "ladder", "md"),
    ],
)
def test_format_is_detected_from_content_then_extension(raw: bytes, filename: str, expected: str) -> None:
    assert detect_format(raw, filename)[0] == expected


def test_levels_on_a_long_sheet_is_reported_not_silently_ignored() -> None:
    raw = (DATA / "long-european.csv").read_bytes()
    result = import_file(raw, filename="long-european.csv", levels="rows")
    assert any("--levels rows was not used" in guess.what for guess in result.guesses), result.guesses


def test_a_markdown_file_read_through_detection_keeps_its_own_guesses() -> None:
    raw = b"# Delivery\n\n**Junior**\n- Ships.\n\n**Senior**\n- Leads.\n"
    result = import_file(raw, filename="ladder.md")
    whats = [guess.what for guess in result.guesses]
    assert whats[0].startswith("read as md") and any(what.startswith("levels are the labels") for what in whats)
