"""deploy/systemd: each unit restarts on failure, runs as the growthbot user with its state directory,
and passes `systemd-analyze verify` (with the growthbot path pointed at a stand-in executable)."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
INSTALLED = "/opt/growthbot/venv/bin/growthbot"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read(UNITS / name)
    return parser


@pytest.mark.parametrize(("name", "command"), [("growthbot-serve.service", "serve"), ("growthbot-run.service", "run")])
def test_unit_runs_growthbot_unprivileged_and_restarts(name: str, command: str) -> None:
    service = _unit(name)["Service"]
    assert service["ExecStart"].split()[:2] == [INSTALLED, command]
    assert service["ExecStartPre"] == f"{INSTALLED} db upgrade"
    assert service["Restart"] == "on-failure"
    assert service["User"] == "growthbot" and service["Group"] == "growthbot"
    assert service["StateDirectory"] == "growthbot" and service["WorkingDirectory"] == "/var/lib/growthbot"
    assert service["EnvironmentFile"] == "/etc/growthbot/growthbot.env"
    assert _unit(name)["Install"]["WantedBy"] == "multi-user.target"


def test_serve_keeps_metrics_of_every_worker() -> None:
    service = _unit("growthbot-serve.service")["Service"]
    assert service["Environment"] == "PROMETHEUS_MULTIPROC_DIR=/run/growthbot/metrics"
    assert service["RuntimeDirectory"] == "growthbot"


def test_environment_file_names_only_known_settings() -> None:
    from bot.settings import Settings

    known = {field.alias for field in Settings.model_fields.values()}
    names = {
        line.split("=", 1)[0]
        for line in (UNITS / "growthbot.env").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert names <= known, names - known


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("name", ["growthbot-serve.service", "growthbot-run.service"])
def test_systemd_analyze_verify(name: str, tmp_path: Path) -> None:
    stand_in = tmp_path / "growthbot"
    stand_in.write_text("#!/bin/sh\n")
    stand_in.chmod(0o755)
    unit = tmp_path / name
    unit.write_text((UNITS / name).read_text().replace(INSTALLED, str(stand_in)))
    verified = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert verified.returncode == 0, verified.stderr
