"""Schema errors explained: the line to fix and a sentence that says what is wrong there."""

from __future__ import annotations

from pathlib import Path

from tests.frameworks.tiny_ladder import BASE, assert_at, line_of, load_error


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


def test_empty_list_key_is_reported_as_nothing(tmp_path: Path) -> None:
    text = BASE.replace("        not_applicable: true\n", "        behaviours:\n")
    error = load_error(tmp_path, text)
    assert_at(error, line_of(text, "        behaviours:", 2, exact=True), "behaviours", "must be a list, got nothing")
