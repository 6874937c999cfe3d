from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo.team import TeamFileError, load_team


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
