"""The one error a ladder file that cannot be loaded raises, whichever pass found the problem."""

from __future__ import annotations

from pathlib import Path


class FrameworkError(Exception):
    """A ladder file that cannot be loaded. `str()` is one paragraph: `file:line: what is wrong`."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {problem}")
