"""Markdown with YAML front matter in the layout of the best-known open-source progression frameworks.

The front matter holds `title` and `topics`; each topic (an area, named by `title` or `name`) has
`content`, one entry per `level` with `criteria` (behaviours) and `exampleCriteria` (behaviours whose
`examples` are kept as the behaviour's examples). `levels: N` gives the number of levels when some
topic skips one. The Markdown body after the front matter is the ladder's introduction.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from frameworks.sheet_import.cells import behaviours_in
from frameworks.sheet_import.ladder import SheetBehaviour, SheetImportError, SheetLadder

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_SITE_KEYS = {"path", "sidebarTitle", "sidebarGroup", "yaml", "homepage", "layout", "slug", "permalink", "order"}


def front_matter(text: str) -> tuple[Any, str] | None:
    """(parsed front matter, body) when the text starts with a `---` block."""
    match = _FRONT.match(text)
    if not match:
        return None
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 2}: " if mark is not None else ""
        raise SheetImportError(f"{where}the front matter is not valid YAML ({error}).") from None
    return data, text[match.end() :]


def has_topics(text: str) -> bool:
    try:
        found = front_matter(text)
    except SheetImportError:
        return text.lstrip("\ufeff").startswith("---") and "topics:" in text
    return bool(found and isinstance(found[0], dict) and "topics" in found[0])


def read_front_matter(text: str) -> SheetLadder:
    found = front_matter(text)
    if found is None or not isinstance(found[0], dict):
        raise SheetImportError("expected YAML front matter between '---' lines at the top of the file.")
    data, body = found
    topics = data.get("topics")
    if not isinstance(topics, list) or not topics:
        raise SheetImportError("the front matter has no 'topics' list (topics -> content -> level -> criteria).")
    ladder = SheetLadder()
    lines = text.splitlines()
    if isinstance(data.get("title"), str) and data["title"].strip():
        ladder.name = data["title"].strip()
    intro = _introduction(body)
    if intro:
        ladder.description.append(intro)
    count = data.get("levels")
    if isinstance(count, int) and not isinstance(count, bool) and 0 < count <= 50:
        for number in range(1, count + 1):
            ladder.level(str(number))
    for key in sorted(set(data) - {"title", "topics", "levels", *_SITE_KEYS}):
        ladder.guess(f"front matter key {key!r} not imported", "it is not a ladder field")
    seen_levels: list[str] = []
    for topic in topics:
        if not isinstance(topic, dict):
            ladder.unplaced.append((_line_of(lines, str(topic)), str(topic)))
            continue
        name = str(topic.get("title") or topic.get("name") or "").strip()
        if not name:
            ladder.unplaced.append((_line_of(lines, "content:"), "a topic without a title or name"))
            continue
        area = ladder.area(name)
        if isinstance(topic.get("description"), str) and topic["description"].strip():
            area.description = topic["description"].strip()
        for entry in topic.get("content") or ():
            _read_content(ladder, name, entry, lines, seen_levels)
    if not isinstance(count, int) and seen_levels:
        ordered = sorted(seen_levels, key=lambda label: (not label.isdigit(), int(label) if label.isdigit() else 0))
        ladder.levels = {label: ladder.levels[label] for label in ordered}
    if ladder.levels and all(name.startswith("Level ") for name in ladder.levels.values()):
        ladder.guess("levels are named 'Level N'", "the front matter numbers them without names")
    return ladder


def _read_content(ladder: SheetLadder, area: str, entry: Any, lines: list[str], seen: list[str]) -> None:
    if not isinstance(entry, dict) or entry.get("level") in (None, ""):
        criteria = entry.get("criteria") if isinstance(entry, dict) else None
        needle = str(criteria[0]) if isinstance(criteria, list) and criteria else str(entry)
        ladder.unplaced.append((_line_of(lines, needle), f"{area}: content without a level: {entry!r}"))
        return
    label = ladder.level(str(entry["level"]))
    if label not in seen:
        seen.append(label)
    cell = ladder.cell(area, label)
    for criterion in entry.get("criteria") or ():
        for text in behaviours_in(str(criterion)):
            cell.behaviours.append(SheetBehaviour(text, _line_of(lines, text)))
    for example in entry.get("exampleCriteria") or ():
        if not isinstance(example, dict) or not str(example.get("criteria") or "").strip():
            ladder.unplaced.append((_line_of(lines, "exampleCriteria"), f"{area} level {label}: {example!r}"))
            continue
        text = " ".join(behaviours_in(str(example["criteria"])))
        examples = [str(e).strip() for e in example.get("examples") or () if str(e).strip()]
        cell.behaviours.append(SheetBehaviour(text, _line_of(lines, text), examples=examples))


def _introduction(body: str) -> str:
    paragraphs = []
    for block in re.split(r"\n\s*\n", body.strip()):
        cleaned = " ".join(line.strip() for line in block.splitlines() if not line.lstrip().startswith("#"))
        if cleaned:
            paragraphs.append(cleaned)
    return "\n\n".join(paragraphs)


def _line_of(lines: list[str], needle: str) -> int:
    needle = needle.strip()[:40]
    for number, line in enumerate(lines, start=1):
        if needle and needle in line:
            return number
    return 1
