from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.services.away import QuietDaysError, away_in_profile, is_away, load_quiet_days, parse_quiet_days


@pytest.mark.parametrize(
    "emoji,text",
    [
        (":palm_tree:", ""),
        (":PALM_TREE:", None),
        ("", "Vacation"),
        ("", "on vacation until 3 June"),
        (None, "Out of office"),
        ("", "out of the office"),
        ("", "OOO till Monday"),
        ("", "ooo"),
        (":sunny:", "Holiday!"),
        ("", "Public holidays"),
        ("", "On leave"),
    ],
)
def test_away_statuses(emoji: str | None, text: str | None) -> None:
    assert is_away(emoji, text)


@pytest.mark.parametrize(
    "emoji,text",
    [(None, None), ("", ""), (":coffee:", "In a meeting"), ("", "Booked a room"), ("", "Zoom"), ("", "cooool")],
)
def test_not_away(emoji: str | None, text: str | None) -> None:
    assert not is_away(emoji, text)


def test_expired_status_does_not_count() -> None:
    assert not is_away(":palm_tree:", "Vacation", 1000, now_epoch=2000)
    assert is_away(":palm_tree:", "Vacation", 3000, now_epoch=2000)
    assert is_away(":palm_tree:", "Vacation", 0, now_epoch=2000)


def test_away_in_profile() -> None:
    assert away_in_profile({"status_emoji": ":palm_tree:", "status_text": "", "status_expiration": 0})
    assert not away_in_profile({})
    assert not away_in_profile(None)


def test_plain_text_quiet_days(tmp_path: Path) -> None:
    path = tmp_path / "quiet.txt"
    path.write_text("# holidays\n2024-12-25\n\n2024-12-26  # boxing day\n", encoding="utf-8")
    assert load_quiet_days(path) == {date(2024, 12, 25), date(2024, 12, 26)}


def test_yaml_quiet_days_forms() -> None:
    assert parse_quiet_days("- 2024-12-25\n- '2025-01-01'\n") == {date(2024, 12, 25), date(2025, 1, 1)}
    assert parse_quiet_days("2024-12-25: Christmas\n2025-01-01: New Year\n") == {date(2024, 12, 25), date(2025, 1, 1)}
    assert parse_quiet_days("quiet_days:\n  - 2024-05-01\n") == {date(2024, 5, 1)}
    assert parse_quiet_days("") == frozenset()


def test_bad_quiet_days_name_the_line(tmp_path: Path) -> None:
    with pytest.raises(QuietDaysError, match="not a valid date"):
        parse_quiet_days("- 2024-13-40\n")
    with pytest.raises(QuietDaysError, match="not a date"):
        parse_quiet_days("- tomorrow\n")
    with pytest.raises(QuietDaysError, match="cannot read"):
        load_quiet_days(tmp_path / "missing.txt")
    assert load_quiet_days(None) == frozenset()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("2024-12-25\nchristmas\n", "q:2: 'christmas'"),
        ("2024-12-25\n2024-02-30\n", "q:2: '2024-02-30'"),
        ("- 2024-12-25\n- tomorrow\n", "q:2: 'tomorrow'"),
        ("# comment\n- 2024-12-25\n- 2024-13-40\n", "q:3: '2024-13-40' is not a valid date"),
        ("2024-12-25: Christmas\nboxing: day\n", "q:2: 'boxing'"),
        ("quiet_days:\n  - 2024-05-01\n  - 5\n", "q:3: 5"),
        ("- [2024-12-25\n", "q:2: not a list of dates nor valid YAML"),
    ],
)
def test_the_bad_line_is_named(text: str, where: str) -> None:
    with pytest.raises(QuietDaysError) as error:
        parse_quiet_days(text, "q")
    assert str(error.value).startswith(where) and "\n" not in str(error.value)
