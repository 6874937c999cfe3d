"""`growthbot demo --team FILE` plays with the team's own ladders from GROWTHBOT_FRAMEWORKS_DIR."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.demo.team import DEFAULT_TEAM_FILE
from frameworks.loader import PACKAGE_DIR


def _own_ladder_team(tmp_path: Path) -> tuple[Path, Path]:
    """The sample team with Priya on `acme-execution`, a ladder that only exists in the team's directory."""
    ladders = tmp_path / "ladders"
    ladders.mkdir()
    ladder = (PACKAGE_DIR / "vio-execution.yaml").read_text(encoding="utf-8")
    ladder = ladder.replace("id: vio-execution", "id: acme-execution").replace(
        "name: Execution growth track (Vio.com)", "name: Acme Execution"
    )
    (ladders / "acme.yaml").write_text(ladder, encoding="utf-8")
    team = DEFAULT_TEAM_FILE.read_text(encoding="utf-8").replace(
        "framework: vio-execution", "framework: acme-execution"
    )
    team = re.sub(r"^(\s+)vio-execution:", r"\1acme-execution:", team, flags=re.M)
    team_file = tmp_path / "team.yaml"
    team_file.write_text(team, encoding="utf-8")
    return team_file, ladders


def test_a_team_on_a_ladder_that_is_not_loaded_is_refused_before_the_demo_starts(tmp_path: Path) -> None:
    team_file, _ = _own_ladder_team(tmp_path)
    result = CliRunner().invoke(
        main, ["demo", "--team", str(team_file), "--quiet"], env={"GROWTHBOT_FRAMEWORKS_DIR": ""}
    )
    assert result.exit_code != 0
    assert "Priya Raman is on ladder 'acme-execution', which is not loaded" in result.output
    assert "GROWTHBOT_FRAMEWORKS_DIR" in result.output


@pytest.mark.slow
def test_the_demo_plays_with_the_teams_own_ladders_from_growthbot_frameworks_dir(tmp_path: Path) -> None:
    team_file, ladders = _own_ladder_team(tmp_path)
    result = CliRunner().invoke(
        main,
        ["demo", "--team", str(team_file), "--weeks", "1", "--width", "100", "--tz", "UTC"],
        env={"GROWTHBOT_FRAMEWORKS_DIR": str(ladders)},
    )
    assert result.exit_code == 0, result.output
    assert "Acme Execution" in result.output
