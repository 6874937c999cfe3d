from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.demo.team import TeamFileError, load_team
from storage.models import Cadence


def test_the_sample_team_has_a_manager_and_three_engineers_in_different_zones_and_ladders() -> None:
    team = load_team()
    assert team.manager.role == "manager"
    assert len(team.engineers) == 3
    assert len({member.tz for member in team.members}) == 4
    assert len({member.framework for member in team.members}) == 4
    assert all(member.manager == team.manager.slack_id for member in team.engineers)
    assert {spec.report for spec in team.one_on_ones} == {member.slack_id for member in team.engineers}
    assert team.week_one.weekday() == 0


def test_a_missing_or_broken_team_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(TeamFileError, match="--team"):
        load_team(tmp_path / "nope.yaml")
    broken = tmp_path / "team.yaml"
    broken.write_text("workspace: {team_id: T1, name: X}\nweek_one: 2025-03-18\n")
    with pytest.raises(TeamFileError, match=r"not a monday|missing"):
        load_team(broken)


def _sample_with(tmp_path: Path, old: str, new: str) -> Path:
    sample = Path(__file__).resolve().parents[2] / "examples" / "demo_team.yaml"
    text = sample.read_text(encoding="utf-8")
    assert old in text
    edited = tmp_path / "team.yaml"
    edited.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edited


def test_one_on_one_slots_are_read_like_the_ladder_command_reads_them(tmp_path: Path) -> None:
    team = load_team(
        _sample_with(
            tmp_path, 'weekday: thursday, time: "11:00", cadence: weekly', "weekday: th, time: 11am, cadence: biweekly"
        )
    )
    first = team.one_on_ones[0]
    assert (first.weekday, first.time, first.cadence) == (3, time(11, 0), Cadence.FORTNIGHTLY)


def test_a_bad_cadence_names_the_entry_and_what_to_type(tmp_path: Path) -> None:
    with pytest.raises(TeamFileError, match=r"one_on_ones\[0\]: “monthly” is not a cadence; use weekly or fortnightly"):
        load_team(_sample_with(tmp_path, "cadence: weekly", "cadence: monthly"))


def test_every_story_and_the_kudos_name_behaviours_of_the_persons_ladder() -> None:
    from frameworks import load_library

    library = load_library()
    team = load_team()
    for member in team.engineers:
        ids = {behaviour.id for behaviour in library[member.framework].behaviours}
        assert member.stories
        for story in member.stories:
            assert story.shows and set(story.shows) <= ids, (member.name, story)
        assert set(team.kudos_shows[member.framework]) <= ids
