from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main


@pytest.fixture(autouse=True)
def _no_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["frameworks", "suggest", *args], env={"GROWTHBOT_FRAMEWORKS_DIR": ""})


def test_suggest_prints_ranked_behaviours_with_scores() -> None:
    result = run("vio", "Presented the new search ranking at Friday's weekly demo", "--top", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Execution growth track") and len(lines) == 3
    assert lines[1].split()[2] == "communication-3-01" and float(lines[1].split()[1]) > 0


def test_suggest_within_one_level() -> None:
    result = run("attest-engineering", "Led the interview loop", "--level", "IV", "-n", "1")
    assert result.exit_code == 0, result.output
    assert "hiring-reputation-iv-02" in result.output and "level Level IV" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", "text"), "No ladder matches 'nope'"),
        (("vio", "text", "--level", "9"), "has no level matching '9'; levels: 1, 2, 3, 4, 5"),
        (("vio", "   "), "TEXT is empty"),
    ],
)
def test_suggest_errors_are_clear(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def test_suggest_says_when_nothing_matches_clearly() -> None:
    result = run("flow", "zzz qqq")
    assert result.exit_code == 0 and "no behaviour matches clearly" in result.output
