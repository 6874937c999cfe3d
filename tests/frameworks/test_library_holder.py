"""The reload holder: a broken reload keeps the last good library; file changes are noticed and reported once."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from frameworks import FrameworkError, Library, LibraryHolder, load_library
from tests.frameworks.tiny_ladder import BASE


def test_holder_keeps_the_last_good_library(tmp_path: Path) -> None:
    ladder = tmp_path / "ladder.yaml"
    ladder.write_text(BASE)
    holder = LibraryHolder([tmp_path])
    first = holder.library
    assert "tiny" in first

    ladder.write_text(BASE.replace("Tiny ladder", "Renamed ladder"))
    assert holder.reload()["tiny"].name == "Renamed ladder"
    good = holder.library

    ladder.write_text(BASE.replace("name: Tiny ladder", "nmae: Tiny ladder"))
    with pytest.raises(FrameworkError, match="nmae"):
        holder.reload()
    assert holder.library is good
    assert holder.last_error is not None
    error = holder.try_reload()
    assert error is not None and "ladder.yaml:2" in str(error)
    assert holder.library is good

    ladder.write_text(BASE)
    assert holder.try_reload() is None
    assert holder.last_error is None
    assert holder.library["tiny"].name == "Tiny ladder"


def _touch(path: Path, text: str, stamp: int) -> None:
    # An explicit mtime: a rewrite within the filesystem's timestamp granularity must still count.
    path.write_text(text)
    os.utime(path, ns=(stamp * 1_000_000_000, stamp * 1_000_000_000))


def test_reload_if_changed_reloads_edits_keeps_the_last_good_and_reports_a_break_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ladder = tmp_path / "ladder.yaml"
    _touch(ladder, BASE, 1_700_000_000)
    loads: list[int] = []

    def counting_loader(dirs: Sequence[Path | str]) -> Library:
        loads.append(1)
        return load_library(dirs)

    holder = LibraryHolder([tmp_path], loader=counting_loader)
    assert holder.reload_if_changed() is None and len(loads) == 1, "nothing changed: no reload"

    _touch(ladder, BASE.replace("Tiny ladder", "Renamed ladder"), 1_700_000_100)
    assert holder.reload_if_changed() is None
    assert holder.library["tiny"].name == "Renamed ladder"
    good = holder.library

    caplog.set_level(logging.ERROR, logger="frameworks.library_holder")
    _touch(ladder, BASE.replace("name: Tiny ladder", "nmae: Tiny ladder"), 1_700_000_200)
    error = holder.reload_if_changed()
    assert error is not None and "ladder.yaml:2" in str(error) and "nmae" in str(error)
    assert holder.library is good and holder.last_error is error
    assert [r.levelno for r in caplog.records] == [logging.ERROR] and str(error) in caplog.records[0].getMessage()
    loads_when_broken = len(loads)
    for _ in range(3):  # the scheduler asks every minute: the same broken files are not retried
        assert holder.reload_if_changed() is None
    assert len(loads) == loads_when_broken and len(caplog.records) == 1
    assert holder.library is good

    _touch(ladder, BASE, 1_700_000_300)
    assert holder.reload_if_changed() is None
    assert holder.last_error is None and holder.library["tiny"].name == "Tiny ladder"


def test_reload_if_changed_sees_added_and_removed_files(tmp_path: Path) -> None:
    holder = LibraryHolder([tmp_path])
    assert "tiny" not in holder.library
    (tmp_path / "notes.txt").write_text("not a ladder")
    assert holder.reload_if_changed() is None and "tiny" not in holder.library
    (tmp_path / "ladder.yaml").write_text(BASE)
    assert holder.reload_if_changed() is None and "tiny" in holder.library
    (tmp_path / "ladder.yaml").unlink()
    assert holder.reload_if_changed() is None and "tiny" not in holder.library


def test_a_missing_extra_dir_is_reported_once_and_recovers(tmp_path: Path) -> None:
    extra = tmp_path / "ladders"
    extra.mkdir()
    (extra / "ladder.yaml").write_text(BASE)
    holder = LibraryHolder([extra])
    shutil.rmtree(extra)
    error = holder.reload_if_changed()
    assert error is not None and "GROWTHBOT_FRAMEWORKS_DIR" in str(error)
    assert "tiny" in holder.library and holder.reload_if_changed() is None
    extra.mkdir()
    (extra / "ladder.yaml").write_text(BASE.replace("Tiny ladder", "Back again"))
    assert holder.reload_if_changed() is None and holder.library["tiny"].name == "Back again"


def test_an_explicit_reload_counts_as_the_last_load(tmp_path: Path) -> None:
    (tmp_path / "ladder.yaml").write_text(BASE)
    holder = LibraryHolder([tmp_path])
    _touch(tmp_path / "ladder.yaml", BASE.replace("Tiny ladder", "Renamed"), 1_700_000_000)
    reloaded = holder.reload()  # e.g. SIGHUP
    assert holder.reload_if_changed() is None and holder.library is reloaded
