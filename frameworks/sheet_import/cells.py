"""What a spreadsheet cell says: several behaviours on separate lines, bullets and checkboxes, N/A, level labels."""

from __future__ import annotations

import re

NOT_APPLICABLE = re.compile(r"^\s*(?:n/?a|not applicable|none|-|—|–)\s*\.?\s*$", re.IGNORECASE)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-*+•‣◦▪]|\d{1,3}[.)])\s+")
_CHECKBOX = re.compile(r"^\[[ xX]?\]\s*")
_LEVEL_CODE = re.compile(
    r"^(?:(?:level|lvl|grade|band|milestone|tier)\s*)?(?:[A-Za-z]{1,3}\s?-?\d{1,2}(?:\.\d)?|\d{1,2}|[IVX]{1,5})$",
    re.IGNORECASE,
)
_SENIORITY = re.compile(
    r"\b(?:junior|mid|mid-level|intermediate|senior|staff|principal|distinguished|associate|lead|fellow|graduate|"
    r"apprentice|entry|intern|trainee|expert|novice|beginner|advanced|architect)\b",
    re.IGNORECASE,
)


def behaviours_in(text: str) -> list[str]:
    """One behaviour per line (or `<br>`), bullets and checkboxes removed, blank lines dropped."""
    lines = _BREAK.sub("\n", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    items = []
    for line in lines:
        line = line.strip()
        line = _BULLET.sub("", line) if len(lines) > 1 or not line[:1].isdigit() else line
        line = _CHECKBOX.sub("", line).strip()
        if line:
            items.append(line)
    return items


def is_not_applicable(text: str) -> bool:
    return bool(NOT_APPLICABLE.match(text))


def looks_like_level(label: str) -> bool:
    """`L1`, `P2`, `IC3`, `D1`, `Level 2`, `IV`, `Senior Engineer`: a level label rather than an area name."""
    label = label.strip()
    return bool(_LEVEL_CODE.match(label) or _SENIORITY.search(label))


def level_share(labels: list[str]) -> float:
    labels = [label for label in labels if label.strip()]
    return sum(looks_like_level(label) for label in labels) / len(labels) if labels else 0.0


def sample(labels: list[str], n: int = 3) -> str:
    shown = [label for label in labels if label.strip()][:n]
    return ", ".join(shown)
