"""What an import tells its caller: the document with per-cell counts, the guesses it made and the lines it
could not place, or an error that says what kind of ladder it expected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from frameworks.markdown_import.imported import Guess, LadderImportError

MarkdownImportError = LadderImportError  # the name callers used before other formats came


@dataclass
class ImportResult:
    document: dict[str, Any]
    counts: list[tuple[str, str, int]] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)
    guesses: list[Guess] = field(default_factory=list)

    @property
    def behaviour_count(self) -> int:
        return sum(n for _area, _level, n in self.counts)

    @property
    def is_certain(self) -> bool:
        """Nothing guessed and nothing left out: what `--strict` asks for."""
        return not self.guesses and not self.unplaced
