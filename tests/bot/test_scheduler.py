"""The tick's first task reloads ladders edited on disk, and a broken edit never fails the tick."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from bot.scheduler import TASKS, tick
from frameworks import LibraryHolder
from tests.conftest import Database
from tests.frameworks.test_loader import BASE
from tests.services.prompting_world import make_world


def _write(path: Path, text: str, stamp: int) -> None:
    path.write_text(text)
    os.utime(path, ns=(stamp * 1_000_000_000, stamp * 1_000_000_000))


def test_ladders_is_the_first_task() -> None:
    assert TASKS[0][0] == "ladders"


def test_each_tick_picks_up_edited_ladders_and_keeps_the_last_good(sqlite_db: Database, tmp_path: Path) -> None:
    ladder = tmp_path / "ladder.yaml"
    _write(ladder, BASE, 1_700_000_000)
    with make_world(sqlite_db) as world:
        deps = dataclasses.replace(world.deps, ladders=LibraryHolder([tmp_path]))
        assert tick(deps)["ladders"] == "unchanged"

        _write(ladder, BASE.replace("Tiny ladder", "Renamed ladder"), 1_700_000_100)
        assert tick(deps)["ladders"] == f"reloaded ({len(deps.library.frameworks)} ladders)"
        assert deps.library["tiny"].name == "Renamed ladder"

        _write(ladder, BASE.replace("name: Tiny ladder", "nmae: Tiny ladder"), 1_700_000_200)
        results = tick(deps)
        assert str(results["ladders"]).startswith("not reloaded, last good ladders kept: ")
        assert "ladder.yaml:2" in str(results["ladders"])
        assert not any(isinstance(result, Exception) for result in results.values())
        assert deps.library["tiny"].name == "Renamed ladder"
        assert tick(deps)["ladders"] == "unchanged", "the same broken files are reported once"

        _write(ladder, BASE, 1_700_000_300)
        tick(deps)
        assert deps.library["tiny"].name == "Tiny ladder"
