"""A tiny valid ladder, and helpers that load a broken variant of it and check where the error points."""

from __future__ import annotations

from pathlib import Path

import pytest

from frameworks import FrameworkError, load_paths

BASE = """\
id: tiny
name: Tiny ladder
version: 1
levels:
  - id: "1"
    name: One
  - id: "2"
    name: Two
groups:
  - id: tech
    name: Technical
tracks:
  - id: staff
    name: Staff
areas:
  - id: delivery
    name: Delivery
    group: tech
    cells:
      - level: "1"
        behaviours:
          - id: delivery-1-01
            text: Ships small tasks.
          - id: delivery-1-02
            text: Estimates small tasks.
      - level: "2"
        not_applicable: true
  - id: quality
    name: Quality
    cells:
      - level: "2"
        behaviours:
          - id: quality-2-01
            text: Writes tests.
            track: staff
"""


def line_of(text: str, needle: str, occurrence: int = 1, *, exact: bool = False) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if (line == needle) if exact else (needle in line):
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


def load_error(tmp_path: Path, content: str | bytes, name: str = "ladder.yaml") -> FrameworkError:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_paths([path])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:")
    return caught.value


def assert_at(error: FrameworkError, line: int, *fragments: str) -> None:
    assert error.line == line, str(error)
    assert f":{line}: " in str(error)
    for fragment in fragments:
        assert fragment in str(error), str(error)
