"""Markdown lines as tokens (heading, level marker, bullet, text, blank, table residue) and the level markers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from frameworks.markdown_import.labels import looks_like_level, split_level_label
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
# "Level: P1", "Grade - 3 (Senior)"
_LEVEL_COLON = re.compile(
    r"^(?:level|grade|band|milestone)\s*[:–—-]\s*(?P<id>[A-Za-z]{1,3}\d{1,2}|\d{1,2}|[IVX]{1,5})"
    r"(?:\s*[-–—(:]\s*(?P<name>[^)]{1,40}?)\)?)?\s*$",
    re.IGNORECASE,
)
# "P1 | Junior", "| L2 | Mid-level |"
_CODE_NAME_ROW = re.compile(
    r"^\|?\s*(?P<id>[A-Za-z]{1,3}\d{1,2}|\d{1,2})\s*\|\s*(?P<name>[A-Za-z][\w .'&/-]{0,40}?)\s*\|?\s*$"
)
_BOLD_LINE = re.compile(r"^(\*\*|__)(?P<text>[^*_]{1,40}?):?\1:?$")
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
    guessed: bool = False  # a bold or plain label read as a level because nothing else marks levels
    bold: bool = False  # such a label, written in bold


def _level_from_text(text: str, *, heading: bool) -> tuple[str, str] | None:
    """(level id, level name) when the text is a level marker."""
    cleaned = clean_name(text)
    match = _LEVEL_COLON.match(cleaned) or _CODE_NAME_ROW.match(text.strip())
    if match:
        return match.group("id"), (match.group("name") or match.group("id")).strip()
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
    if not any(t.kind == "level" for t in tokens):
        _labels_as_levels(tokens)
    return tokens


def _labels_as_levels(tokens: list[Token]) -> None:
    """`**Junior**` or a plain `Senior:` line right above a bullet list is a level when nothing else marks one."""
    for index, token in enumerate(tokens):
        if token.kind != "text":
            continue
        bold = _BOLD_LINE.match(token.text)
        label = (bold.group("text") if bold else token.text).strip().rstrip(":").strip()
        if not bold and len(label.split()) > 3:
            continue
        following = next((t for t in tokens[index + 1 :] if t.kind != "blank"), None)
        if following is None or following.kind != "bullet" or not looks_like_level(label):
            continue
        level_id, name = split_level_label(label)
        tokens[index] = Token("level", token.line, name, depth=99, level_id=level_id, guessed=True, bold=bool(bold))


def _is_list_table_header(line: str) -> bool:
    """`Level | Skills |`: the header of a level-marked list (layout c), not content."""
    cells = [c.strip().lower() for c in line.strip().strip("|").split("|")]
    return "|" in line and len(cells) >= 2 and cells[0] in ("level", "levels", "grade", "milestone")
