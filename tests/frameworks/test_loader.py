"""Loading ladders into the model: files and directories, all-or-nothing, and the cross-reference checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from frameworks import FrameworkError, Library, load_library, load_paths, parse_framework
from frameworks.loader import bundled_paths
from tests.frameworks.conftest import ACME_PATH, DATA_DIR
from tests.frameworks.tiny_ladder import BASE, assert_at, line_of, load_error


def test_base_document_is_valid() -> None:
    framework = parse_framework(BASE, "tiny.yaml")
    assert framework.id == "tiny"
    assert [b.id for b in framework.behaviours] == ["delivery-1-01", "delivery-1-02", "quality-2-01"]


def test_fixture_ladder_loads_into_the_model(library: Library) -> None:
    assert list(library) == ["acme-engineering", "small-milestones"]
    acme = library["acme-engineering"]
    assert acme.path == ACME_PATH
    assert [level.id for level in acme.levels] == ["I", "II", "III", "IV"]
    assert acme.level_index("III") == 2
    assert acme.level("IV").name == "Level IV"
    assert acme.area("design").name == "Design & Architecture"
    assert [g.id for g in acme.groups] == ["technical", "people"]
    assert acme.tracks[0].name == "Staff Engineer"
    assert acme.area_count == 4
    assert acme.level_count == 4
    assert acme.behaviour_count == len(acme.behaviours) == 18
    assert acme.behaviours[0].id == "quality-i-01"

    na_cell = acme.cell("mentoring", "I")
    assert na_cell is not None and na_cell.not_applicable and na_cell.behaviours == ()
    assert na_cell.summary == "Not expected at this level."
    assert acme.cell("incidents", "IV").is_empty  # type: ignore[union-attr]

    qualified = acme.behaviour("quality-ii-02")
    assert qualified.qualifier == "Backend-specific"
    assert (qualified.area_id, qualified.level_id, qualified.framework_id) == ("quality", "II", acme.id)
    staff = acme.behaviour("quality-iv-02")
    assert staff.track == "staff" and staff.applies_to("staff") and not staff.applies_to(None)
    assert acme.find_behaviour("nope") is None
    with pytest.raises(KeyError):
        acme.behaviour("nope")
    assert library.find_behaviour("acme-engineering", "design-i-01") is not None
    assert library.find_behaviour("missing", "design-i-01") is None
    assert library.get("missing") is None

    small = library["small-milestones"]
    assert small.status == "incomplete" and not small.is_complete
    assert small.status_note == "Only two areas were transcribed."
    assert small.description is None


def test_model_is_immutable(acme) -> None:
    with pytest.raises(AttributeError):
        acme.name = "changed"
    assert hash(acme) == hash(acme)


def test_extra_dirs_are_added_to_the_bundled_ladders(tmp_path: Path) -> None:
    shutil.copy(ACME_PATH, tmp_path / "acme.yaml")
    library = load_library([tmp_path])
    assert "acme-engineering" in library
    assert len(library) == len(bundled_paths()) + 1


def test_duplicate_framework_id_across_directories(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(ACME_PATH, other / "copy.yaml")
    with pytest.raises(FrameworkError) as caught:
        load_paths([DATA_DIR, other])
    message = str(caught.value)
    assert message.startswith(f"{other / 'copy.yaml'}:{line_of(ACME_PATH.read_text(), 'id: acme-engineering')}:")
    assert "already used by" in message and str(ACME_PATH) in message


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match="does not exist"):
        load_library([tmp_path / "nowhere"])


def test_all_or_nothing(tmp_path: Path) -> None:
    shutil.copy(ACME_PATH, tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text(BASE.replace("name: Tiny ladder", "nmae: Tiny ladder"))
    with pytest.raises(FrameworkError, match=r"b\.yaml:2"):
        load_paths([tmp_path])


def test_duplicate_behaviour_id(tmp_path: Path) -> None:
    text = BASE.replace("id: quality-2-01", "id: delivery-1-01")
    error = load_error(tmp_path, text)
    first = line_of(text, "id: delivery-1-01")
    assert_at(
        error,
        line_of(text, "id: delivery-1-01", 2),
        "duplicate behaviour id 'delivery-1-01'",
        f"first used at line {first}",
    )


def test_duplicate_area_id(tmp_path: Path) -> None:
    text = BASE.replace("  - id: quality\n", "  - id: delivery\n")
    error = load_error(tmp_path, text)
    assert_at(
        error,
        line_of(text, "  - id: delivery", 2, exact=True),
        "duplicate area id 'delivery'",
        f"first used at line {line_of(text, '  - id: delivery', exact=True)}",
    )


def test_unknown_level(tmp_path: Path) -> None:
    text = BASE.replace('      - level: "2"\n        behaviours:', '      - level: "3"\n        behaviours:')
    error = load_error(tmp_path, text)
    assert_at(error, line_of(text, 'level: "3"'), "unknown level '3'", "area 'quality'", "levels are: 1, 2")


def test_unknown_track_and_group(tmp_path: Path) -> None:
    text = BASE.replace("track: staff", "track: principal")
    assert_at(load_error(tmp_path, text), line_of(text, "track: principal"), "unknown track 'principal'")
    text = BASE.replace("group: tech", "group: people")
    assert_at(load_error(tmp_path, text), line_of(text, "group: people"), "unknown group 'people'")


def test_not_applicable_cell_with_behaviours(tmp_path: Path) -> None:
    text = BASE.replace(
        "        not_applicable: true\n",
        "        not_applicable: true\n        behaviours:\n          - {id: delivery-2-01, text: Oops.}\n",
    )
    error = load_error(tmp_path, text)
    assert_at(error, line_of(text, "not_applicable: true"), "not_applicable", "level '2'", "area 'delivery'")


def test_two_cells_for_one_level(tmp_path: Path) -> None:
    text = BASE.replace("        not_applicable: true\n", '        not_applicable: true\n      - level: "2"\n')
    error = load_error(tmp_path, text)
    assert_at(error, line_of(text, 'level: "2"', 2), "two cells for level '2'")


def test_bundled_library_loads_five_frameworks() -> None:
    library = load_library()
    assert len(library) == 5
    assert set(library) == {"attest-engineering", "flow", "luko-execution", "org-wide-engineering", "vio-execution"}
    assert all(f.path is not None and f.path.parent == bundled_paths()[0].parent for f in library.frameworks)
    assert all(f.behaviour_count > 0 for f in library.frameworks)
