"""Hostile org files (issue 15, item 7): each is one file:line problem, nothing written, every problem in one pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.people_import.reading import MAX_DEPTH, OrgFileError, parse_csv, parse_yaml, read_org_file
from frameworks import Library, load_library
from storage.models import Person
from tests.conftest import Database
from tests.services.people_import.test_import_people import _count, _problems


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library()


def _read_problems(path: Path) -> list[str]:
    with pytest.raises(OrgFileError) as raised:
        read_org_file(path)
    return [f"{problem.line}: {problem.message}" for problem in raised.value.problems]


def test_an_unterminated_quote_is_reported_at_its_line_not_swallowed(tmp_path: Path) -> None:
    org = tmp_path / "org.csv"
    org.write_text('slack_user_id,name\nU0A,Ada\nU0B,"Ben\nU0C,Cleo\nU0D,Dan\n')
    assert _read_problems(org) == [
        "3: a quote opened on this line is never closed (the rest of the file would be one cell)"
    ]


def test_a_ten_megabyte_cell_is_a_line_error(tmp_path: Path) -> None:
    org = tmp_path / "org.csv"
    org.write_text("slack_user_id,name\nU0A,Ada\nU0B," + "x" * 10_000_000 + "\n")
    problems = _read_problems(org)
    assert len(problems) == 1 and problems[0].startswith("3: a cell is larger than")
    yaml_org = tmp_path / "org.yaml"
    yaml_org.write_text("- slack_user_id: U0A\n- slack_user_id: U0B\n  name: " + "x" * 10_000_000 + "\n")
    [problem] = read_org_file(yaml_org).problems
    assert (problem.line, problem.message) == (3, "name is 10,000,000 characters long; the limit is 10,000")


def test_deeply_nested_yaml_is_refused_at_its_line(tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text("- slack_user_id: U0A\n- name: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert _read_problems(org) == [f"2: nested more than {MAX_DEPTH} levels deep"]


def test_a_non_utf8_byte_names_its_line(tmp_path: Path) -> None:
    org = tmp_path / "org.csv"
    org.write_bytes(b"slack_user_id,name\nU0A,Ada\nU0B,Ren\xe9e\n")
    assert _read_problems(org) == ["3: not UTF-8 text (byte 0xe9); save the file as UTF-8"]


def test_unknown_columns_are_ignored_with_one_warning(db: Database, library: Library) -> None:
    org = parse_csv("slack_user_id,department,title,start_date,framework,level\nU0A,Eng,Dev,2020-01-01,flow,P1\n")
    assert org.problems == []
    assert len(org.warnings) == 1
    assert "ignored unknown columns department, start_date, title" in org.warnings[0]
    yaml_org = parse_yaml("- slack_user_id: U0A\n  department: Eng\n- slack_user_id: U0B\n  title: Dev\n")
    assert yaml_org.problems == [] and "department, title" in yaml_org.warnings[0]


def test_every_problem_is_reported_in_one_pass_with_near_matches(db: Database, library: Library) -> None:
    org = parse_csv(
        "slack_user_id,manager,timezone,framework,level,prompt_weekday\n"
        "U0A,U0NOBODY,Asia/Tokio,,,\n"
        "U0B,,,attest-engineering,3,\n"
        "U0C,,,flw,P1,tuesdy\n"
    )
    assert _problems(db, org, library) == [
        "2: timezone 'Asia/Tokio' is not an IANA time zone (like Europe/Paris); did you mean Asia/Tokyo?",
        "2: unknown manager 'U0NOBODY': not in this file and not known to growthbot",
        "3: framework attest-engineering has no level '3' (levels: I, II, III, IV, V, VI, VII); "
        "did you mean III (level 3 of 7)?",
        "4: prompt_weekday 'tuesdy' is not a weekday (monday ... sunday); did you mean tuesday?",
        "4: unknown framework 'flw' (known: attest-engineering, flow, luko-execution, org-wide-engineering, "
        "vio-execution); did you mean flow?",
    ]
    assert _count(db, Person) == 0
