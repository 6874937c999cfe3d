"""The built wheel, installed in a fresh venv outside the repository, runs the demo, `db upgrade` and
`frameworks list` from a temporary directory: what a `pipx install` user gets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STEP_TIMEOUT_S = 300  # a hang guard (a cold pip cache downloads every dependency), not a performance assertion


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT_S)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.mark.slow
def test_the_wheel_installs_and_runs_outside_the_repository(tmp_path: Path) -> None:
    # Nothing of the repository or of the test environment may leak in: no PYTHONPATH, no .env, no tokens.
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "TMPDIR")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    dist, venv, work = tmp_path / "dist", tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(REPO), "-w", str(dist)], tmp_path, env)
    [wheel] = dist.glob("growthbot-*.whl")
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path, env)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], tmp_path, env)
    growthbot = str(venv / "bin" / "growthbot")

    version = _run([growthbot, "--version"], work, env)
    assert wheel.name.split("-")[1] in version
    located = _run([str(venv / "bin" / "python"), "-c", "import bot; print(bot.__file__)"], work, env)
    assert str(venv) in located and str(REPO) not in located  # the installed copy, not the checkout

    upgraded = _run([growthbot, "db", "upgrade"], work, {**env, "DATABASE_URL": f"sqlite:///{work}/growthbot.db"})
    assert "Database schema upgraded from empty" in upgraded
    listed = _run([growthbot, "frameworks", "list"], work, env)
    assert "luko-execution" in listed and "complete" in listed
    demo = _run([growthbot, "demo", "--weeks", "1"], work, env)
    assert "Done in" in demo
