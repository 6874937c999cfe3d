"""Problems found reading a ladder as YAML: encoding, syntax, tabs, empty files, duplicate keys."""

from __future__ import annotations

from pathlib import Path

from tests.frameworks.tiny_ladder import BASE, assert_at, line_of, load_error


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


def test_not_a_mapping_and_several_documents(tmp_path: Path) -> None:
    assert_at(load_error(tmp_path, "- a\n- b\n"), 1, "must be a YAML mapping")
    error = load_error(tmp_path, BASE + "---\n" + BASE)
    assert "more than one YAML document" in str(error)
