"""A ladder's readiness bar (YAML `readiness:`): default all, a share, per area, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from frameworks import load_paths
from tests.frameworks.tiny_ladder import BASE, line_of, load_error


def _load(tmp_path: Path, extra: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "ladder.yaml"
    path.write_text(BASE + extra, encoding="utf-8")
    return load_paths([path])["tiny"]


def test_the_default_bar_is_all_behaviours(tmp_path: Path) -> None:
    framework = _load(tmp_path, "")
    assert (framework.readiness_bar, framework.bar_for("delivery")) == (1.0, 1.0)


def test_a_framework_bar_and_an_area_override(tmp_path: Path) -> None:
    framework = _load(tmp_path, 'readiness:\n  bar: "80%"\n  areas:\n    quality: all\n')
    assert framework.bar_for("delivery") == 0.8
    assert framework.bar_for("quality") == 1.0


@pytest.mark.parametrize("bar", ['"0%"', "half", '"101%"', '"80"'])
def test_a_bar_that_is_not_all_or_a_percentage_is_refused_with_the_line(tmp_path: Path, bar: str) -> None:
    text = BASE + f"readiness:\n  bar: {bar}\n"
    error = load_error(tmp_path, text)
    assert error.line == line_of(text, "  bar:")
    assert "must be 'all' or a percentage from 1% to 100%" in str(error)


def test_an_unknown_area_in_the_bar_is_refused(tmp_path: Path) -> None:
    text = BASE + "readiness:\n  areas:\n    delivry: all\n"
    error = load_error(tmp_path, text)
    assert error.line == line_of(text, "    delivry:")
    assert "unknown area 'delivry'; areas are: delivery, quality" in str(error)
