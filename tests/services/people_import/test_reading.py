"""Reading org files: shape problems are found before anything looks at the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.people_import.reading import OrgFileError, parse_yaml, read_org_file


def test_unreadable_files(tmp_path: Path) -> None:
    bad = tmp_path / "org.yaml"
    bad.write_text("people:\n  - slack_user_id: [unclosed\n")
    with pytest.raises(OrgFileError, match=r"org.yaml:3: not valid YAML"):
        read_org_file(bad)
    other = tmp_path / "org.txt"
    other.write_text("x")
    with pytest.raises(OrgFileError, match=r"use \.csv, \.yaml or \.yml"):
        read_org_file(other)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(OrgFileError, match="expected a header row"):
        read_org_file(empty)
    assert "unknown top-level key 'staff'" in parse_yaml("staff: []\n").problems[0].message
