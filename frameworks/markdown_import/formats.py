"""Which reader reads a file: detected from the content, or named with `--format`.

Other readers (frameworks.sheet_import) register here with `register(name, reader, detect)`; a reader
returns an `ImportedLadder` (see imported.py), `detect(text, filename)` says whether the text looks like
its format. Markdown is the fallback when no detector claims the text."""

from __future__ import annotations

from collections.abc import Callable

from frameworks.markdown_import.imported import ImportedLadder, LadderImportError, LevelsAxis
from frameworks.markdown_import.importer import read_markdown

Reader = Callable[..., ImportedLadder]  # (text, *, levels: LevelsAxis | None, fallback_name: str)
Detector = Callable[[str, str], bool]

READERS: dict[str, Reader] = {"markdown": read_markdown}
_DETECTORS: list[tuple[str, Detector]] = []


def register(name: str, reader: Reader, detect: Detector | None = None) -> None:
    READERS[name] = reader
    if detect is not None:
        _DETECTORS.append((name, detect))


def detect_format(text: str, filename: str = "") -> str:
    return next((name for name, detect in _DETECTORS if detect(text, filename)), "markdown")


def read(
    text: str, *, fmt: str | None = None, filename: str = "", levels: LevelsAxis | None = None, fallback_name: str = ""
) -> ImportedLadder:
    name = fmt or detect_format(text, filename)
    reader = READERS.get(name)
    if reader is None:
        raise LadderImportError(f"unknown format {name!r}; known: {', '.join(sorted(READERS))}.")
    return reader(text, levels=levels, fallback_name=fallback_name)
