"""Markdown lines as tokens (heading, level marker, bullet, text, blank, table residue) and the level markers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from frameworks.markdown_import.text import clean_name

HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)(?:[-*+•‣◦▪]|\d{1,3}[.)])\s+(.*\S)\s*$")
_LEVEL_WORD = re.compile(
    r"^(?P<name>(?:level|milestone|grade|lvl|band)\s+(?P<id>\d{1,2}(?:\.\d)?|[IVXivx]{1,5}|[A-Za-z]{1,2}\d{1,2})"
    r"(?:\s*[-–—:]\s*\w.*?)?)\s*[:|.]?\s*$",
    re.IGNORECASE,
)
_LEVEL_CODE = re.compile(r"^\|?\s*(?P<id>[A-Za-z]{1,2}\d{1,2}|\d{1,2})\s*\|[\s|]*$")
_LEVEL_HEADING_CODE = re.compile(r"^(?P<id>[A-Za-z]{1,2}\d{1,2}|\d{1,2}|[IVX]{1,5})\s*:?$")
NOT_APPLICABLE = re.compile(r"^\s*(?:n/?a|not applicable|none)\s*\.?\s*$", re.IGNORECASE)
_PIPES_ONLY = re.compile(r"^[\s|:-]*$")
_RULE = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")


@dataclass
class Token:
    kind: str  # blank | heading | level | bullet | text | pipes (table residue and rules)
    line: int
    text: str = ""
    depth: int = 0
    indent: int = 0
    level_id: str = ""


def _level_from_text(text: str, *, heading: bool) -> tuple[str, str] | None:
    """(level id, level name) when the text is a level marker."""
    cleaned = clean_name(text)
    match = _LEVEL_WORD.match(cleaned)
    if match:
        return match.group("id"), match.group("name")
    match = _LEVEL_CODE.match(text.strip())
    if match:
        return match.group("id"), match.group("id")
    if heading:
        match = _LEVEL_HEADING_CODE.match(cleaned)
        if match:
            label = match.group("id")
            return label, level_name(label)
    return None


def level_name(label: str) -> str:
    return f"Level {label}" if re.fullmatch(r"\d{1,2}|[IVXivx]{1,5}", label) else label


def tokenize(lines: list[str]) -> list[Token]:
    tokens: list[Token] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip():
            tokens.append(Token("blank", number))
            continue
        heading = HEADING.match(line)
        if heading:
            level = _level_from_text(heading.group(2), heading=True)
            if level:
                tokens.append(Token("level", number, level[1], depth=len(heading.group(1)), level_id=level[0]))
            else:
                tokens.append(Token("heading", number, heading.group(2), depth=len(heading.group(1))))
            continue
        bullet = None if _RULE.match(line) else _BULLET.match(line)
        if bullet:
            indent = len(bullet.group(1).expandtabs(4))
            tokens.append(Token("bullet", number, bullet.group(2), indent=indent))
            continue
        level = _level_from_text(line, heading=False)
        if level:
            tokens.append(Token("level", number, level[1], depth=99, level_id=level[0]))
            continue
        if _PIPES_ONLY.match(line) or _RULE.match(line) or _is_list_table_header(line):
            tokens.append(Token("pipes", number, line.strip()))
            continue
        indent = len(line) - len(line.lstrip())
        tokens.append(Token("text", number, line.strip(), indent=indent))
    return tokens


def _is_list_table_header(line: str) -> bool:
    """`Level | Skills |`: the header of a level-marked list (layout c), not content."""
    cells = [c.strip().lower() for c in line.strip().strip("|").split("|")]
    return "|" in line and len(cells) >= 2 and cells[0] in ("level", "levels", "grade", "milestone")
