from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from frameworks import FrameworkError, Library, LibraryHolder, load_library, load_paths, parse_framework
from frameworks.loader import bundled_paths
from tests.frameworks.conftest import ACME_PATH, DATA_DIR

BASE = """\
id: tiny
name: Tiny ladder
version: 1
levels:
  - id: "1"
    name: One
  - id: "2"
    name: Two
groups:
  - id: tech
    name: Technical
tracks:
  - id: staff
    name: Staff
areas:
  - id: delivery
    name: Delivery
    group: tech
    cells:
      - level: "1"
        behaviours:
          - id: delivery-1-01
            text: Ships small tasks.
          - id: delivery-1-02
            text: Estimates small tasks.
      - level: "2"
        not_applicable: true
  - id: quality
    name: Quality
    cells:
      - level: "2"
        behaviours:
          - id: quality-2-01
            text: Writes tests.
            track: staff
"""


def line_of(text: str, needle: str, occurrence: int = 1, *, exact: bool = False) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if (line == needle) if exact else (needle in line):
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


def load_error(tmp_path: Path, content: str | bytes, name: str = "ladder.yaml") -> FrameworkError:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_paths([path])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:")
    return caught.value


def assert_at(error: FrameworkError, line: int, *fragments: str) -> None:
    assert error.line == line, str(error)
    assert f":{line}: " in str(error)
    for fragment in fragments:
        assert fragment in str(error), str(error)


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


def test_typo_in_a_key(tmp_path: Path) -> None:
    text = BASE.replace("            text: Estimates small tasks.", "            txet: Estimates small tasks.")
    error = load_error(tmp_path, text)
    assert_at(error, line_of(text, "txet:"), "unknown key 'txet'", "did you mean 'text'?", "delivery-1-02")


def test_typo_at_the_top_level(tmp_path: Path) -> None:
    text = BASE.replace("levels:", "levles:")
    error = load_error(tmp_path, text)
    # The typo is what to fix, so it wins over the "missing levels" it also causes.
    assert_at(error, line_of(text, "levles:"), "unknown key 'levles'", "did you mean 'levels'?")
    # The "missing levels" the typo causes is the same problem, not another one.
    assert "more problem" not in str(error)


def test_missing_keys_are_named_together_and_other_problems_counted(tmp_path: Path) -> None:
    error = load_error(tmp_path, "id: x\n")
    assert_at(error, 1, "missing required keys 'name', 'version', 'levels', 'areas' at the top level")
    text = BASE.replace("version: 1", "version: 0").replace("text: Writes tests.", 'text: ""')
    assert_at(load_error(tmp_path, text), 3, "at least 1", "(1 more problem in this file after this one.)")


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


def test_tab_indented_block(tmp_path: Path) -> None:
    text = BASE.replace("    name: Two", "\tname: Two")
    error = load_error(tmp_path, text)
    assert_at(error, line_of(text, "\tname: Two"), "indented with a tab")


def test_empty_file(tmp_path: Path) -> None:
    assert_at(load_error(tmp_path, ""), 1, "the file is empty")
    assert_at(load_error(tmp_path, "# only a comment\n\n"), 1, "the file is empty")


def test_non_utf8_bytes(tmp_path: Path) -> None:
    raw = BASE.replace("Ships small tasks.", "Ships small t\u00e2sks.").encode("latin-1")
    error = load_error(tmp_path, raw)
    assert_at(error, line_of(BASE, "Ships small tasks."), "not valid UTF-8", "0xe2")


def test_invalid_yaml(tmp_path: Path) -> None:
    text = BASE.replace("name: Tiny ladder", "name: Tiny: ladder")
    assert_at(load_error(tmp_path, text), line_of(text, "Tiny: ladder"), "invalid YAML")
    text = BASE.replace("text: Writes tests.", "text: 'Writes tests.")
    error = load_error(tmp_path, text)
    assert "invalid YAML" in str(error) and error.line is not None


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    text = BASE.replace("version: 1\n", "version: 1\nname: Other\n")
    assert_at(load_error(tmp_path, text), 4, "duplicate key 'name'", "first at line 2")


def test_unquoted_numeric_level_id(tmp_path: Path) -> None:
    text = BASE.replace('  - id: "2"', "  - id: 2")
    assert_at(load_error(tmp_path, text), line_of(text, "  - id: 2"), "must be a string", 'quote it, e.g. "2"')


def test_blank_text(tmp_path: Path) -> None:
    text = BASE.replace("text: Writes tests.", 'text: "   "')
    assert_at(load_error(tmp_path, text), line_of(text, 'text: "   "'), "text", "must not be empty")


def test_invalid_ids(tmp_path: Path) -> None:
    text = BASE.replace("id: tiny", "id: Tiny Ladder")
    assert_at(load_error(tmp_path, text), 1, "not a valid id")
    long_id = "x" * 65
    text = BASE.replace("id: quality-2-01", f"id: {long_id}")
    assert_at(load_error(tmp_path, text), line_of(text, long_id), "longer than 64")


def test_incomplete_needs_a_note_and_status_is_an_enum(tmp_path: Path) -> None:
    text = BASE.replace("version: 1\n", "version: 1\nstatus: incomplete\n")
    assert_at(load_error(tmp_path, text), 1, "status_note")
    text = BASE.replace("version: 1\n", "version: 1\nstatus: done\n")
    assert_at(load_error(tmp_path, text), 4, "must be one of complete, incomplete")


def test_version_must_be_positive(tmp_path: Path) -> None:
    text = BASE.replace("version: 1", "version: 0")
    assert_at(load_error(tmp_path, text), 3, "at least 1")


def test_no_levels(tmp_path: Path) -> None:
    text = BASE.replace('  - id: "1"\n    name: One\n  - id: "2"\n    name: Two\n', "").replace(
        "levels:\n", "levels: []\n"
    )
    assert_at(load_error(tmp_path, text), 4, "at least 1 entry")


def test_not_a_mapping_and_several_documents(tmp_path: Path) -> None:
    assert_at(load_error(tmp_path, "- a\n- b\n"), 1, "must be a YAML mapping")
    error = load_error(tmp_path, BASE + "---\n" + BASE)
    assert "more than one YAML document" in str(error)


def test_holder_keeps_the_last_good_library(tmp_path: Path) -> None:
    ladder = tmp_path / "ladder.yaml"
    ladder.write_text(BASE)
    holder = LibraryHolder([tmp_path])
    first = holder.library
    assert "tiny" in first

    ladder.write_text(BASE.replace("Tiny ladder", "Renamed ladder"))
    assert holder.reload()["tiny"].name == "Renamed ladder"
    good = holder.library

    ladder.write_text(BASE.replace("name: Tiny ladder", "nmae: Tiny ladder"))
    with pytest.raises(FrameworkError, match="nmae"):
        holder.reload()
    assert holder.library is good
    assert holder.last_error is not None
    error = holder.try_reload()
    assert error is not None and "ladder.yaml:2" in str(error)
    assert holder.library is good

    ladder.write_text(BASE)
    assert holder.try_reload() is None
    assert holder.last_error is None
    assert holder.library["tiny"].name == "Tiny ladder"


def test_bundled_library_loads_five_frameworks() -> None:
    library = load_library()
    assert len(library) == 5
    assert set(library) == {"attest-engineering", "flow", "luko-execution", "org-wide-engineering", "vio-execution"}
    assert all(f.path is not None and f.path.parent == bundled_paths()[0].parent for f in library.frameworks)
    assert all(f.behaviour_count > 0 for f in library.frameworks)


def test_empty_list_key_is_reported_as_nothing(tmp_path: Path) -> None:
    text = BASE.replace("        not_applicable: true\n", "        behaviours:\n")
    error = load_error(tmp_path, text)
    assert_at(error, line_of(text, "        behaviours:", 2, exact=True), "behaviours", "must be a list, got nothing")


def _touch(path: Path, text: str, stamp: int) -> None:
    # An explicit mtime: a rewrite within the filesystem's timestamp granularity must still count.
    path.write_text(text)
    os.utime(path, ns=(stamp * 1_000_000_000, stamp * 1_000_000_000))


def test_reload_if_changed_reloads_edits_keeps_the_last_good_and_reports_a_break_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ladder = tmp_path / "ladder.yaml"
    _touch(ladder, BASE, 1_700_000_000)
    loads: list[int] = []

    def counting_loader(dirs: Sequence[Path | str]) -> Library:
        loads.append(1)
        return load_library(dirs)

    holder = LibraryHolder([tmp_path], loader=counting_loader)
    assert holder.reload_if_changed() is None and len(loads) == 1, "nothing changed: no reload"

    _touch(ladder, BASE.replace("Tiny ladder", "Renamed ladder"), 1_700_000_100)
    assert holder.reload_if_changed() is None
    assert holder.library["tiny"].name == "Renamed ladder"
    good = holder.library

    caplog.set_level(logging.ERROR, logger="frameworks.library_holder")
    _touch(ladder, BASE.replace("name: Tiny ladder", "nmae: Tiny ladder"), 1_700_000_200)
    error = holder.reload_if_changed()
    assert error is not None and "ladder.yaml:2" in str(error) and "nmae" in str(error)
    assert holder.library is good and holder.last_error is error
    assert [r.levelno for r in caplog.records] == [logging.ERROR] and str(error) in caplog.records[0].getMessage()
    loads_when_broken = len(loads)
    for _ in range(3):  # the scheduler asks every minute: the same broken files are not retried
        assert holder.reload_if_changed() is None
    assert len(loads) == loads_when_broken and len(caplog.records) == 1
    assert holder.library is good

    _touch(ladder, BASE, 1_700_000_300)
    assert holder.reload_if_changed() is None
    assert holder.last_error is None and holder.library["tiny"].name == "Tiny ladder"


def test_reload_if_changed_sees_added_and_removed_files(tmp_path: Path) -> None:
    holder = LibraryHolder([tmp_path])
    assert "tiny" not in holder.library
    (tmp_path / "notes.txt").write_text("not a ladder")
    assert holder.reload_if_changed() is None and "tiny" not in holder.library
    (tmp_path / "ladder.yaml").write_text(BASE)
    assert holder.reload_if_changed() is None and "tiny" in holder.library
    (tmp_path / "ladder.yaml").unlink()
    assert holder.reload_if_changed() is None and "tiny" not in holder.library


def test_a_missing_extra_dir_is_reported_once_and_recovers(tmp_path: Path) -> None:
    extra = tmp_path / "ladders"
    extra.mkdir()
    (extra / "ladder.yaml").write_text(BASE)
    holder = LibraryHolder([extra])
    shutil.rmtree(extra)
    error = holder.reload_if_changed()
    assert error is not None and "GROWTHBOT_FRAMEWORKS_DIR" in str(error)
    assert "tiny" in holder.library and holder.reload_if_changed() is None
    extra.mkdir()
    (extra / "ladder.yaml").write_text(BASE.replace("Tiny ladder", "Back again"))
    assert holder.reload_if_changed() is None and holder.library["tiny"].name == "Back again"


def test_an_explicit_reload_counts_as_the_last_load(tmp_path: Path) -> None:
    (tmp_path / "ladder.yaml").write_text(BASE)
    holder = LibraryHolder([tmp_path])
    _touch(tmp_path / "ladder.yaml", BASE.replace("Tiny ladder", "Renamed"), 1_700_000_000)
    reloaded = holder.reload()  # e.g. SIGHUP
    assert holder.reload_if_changed() is None and holder.library is reloaded
