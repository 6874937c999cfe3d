"""What reads as a level label ("L2", "P1 - Junior", "Senior Engineer") and what reads as a column header."""

from __future__ import annotations

import re

from frameworks.markdown_import.text import slugify, strip_markup

_CODE = r"(?:[A-Za-z]{1,3}\d{1,2}(?:\.\d)?|\d{1,2}|[IVX]{1,5})"
_LEVEL_CODE = re.compile(rf"^(?:level|lvl|grade|band|milestone|tier|stage)?\s*{_CODE}$", re.IGNORECASE)
# "P1 - Junior", "P1 | Junior", "P1 (Junior)", "P1: Junior", "L3 Senior"
_CODE_AND_NAME = re.compile(rf"^(?P<id>{_CODE})\s*(?:[-–—:|(]\s*|\s)(?P<name>[A-Za-z][\w .'&/-]{{0,40}}?)\)?$")
LEVEL_WORDS = re.compile(
    r"\b(?:junior|mid|mid-level|intermediate|senior|staff|principal|lead|associate|intern|apprentice|graduate|"
    r"entry|entry-level|distinguished|fellow|novice|beginner|advanced|expert|trainee|level|grade)\b",
    re.IGNORECASE,
)
_VALID_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

LEVEL_HEADERS = {"level", "levels", "grade", "grades", "band", "seniority", "career level", "job level", "milestone"}
AREA_HEADERS = {
    "area", "areas", "competency", "competencies", "skill", "skills", "category", "pillar", "dimension",
    "topic", "theme", "focus area", "capability", "attribute", "track", "discipline", "axis",
}  # fmt: skip
BEHAVIOUR_HEADERS = {
    "expectation", "expectations", "behaviour", "behaviours", "behavior", "behaviors", "criteria", "criterion",
    "description", "what good looks like", "you", "signals", "outcomes", "responsibilities",
}  # fmt: skip
EXAMPLE_HEADERS = {"example", "examples", "evidence", "for example", "e.g."}


def header_key(cell: str) -> str:
    return strip_markup(cell).strip().rstrip(":").casefold()


def looks_like_level(label: str) -> bool:
    """'L1', 'D3', '2', 'IV', 'Level 2', 'P1 - Junior', 'Senior', 'Staff Engineer'."""
    text = strip_markup(label).strip().rstrip(":")
    if not text:
        return False
    return bool(_LEVEL_CODE.match(text) or _CODE_AND_NAME.match(text) or LEVEL_WORDS.search(text))


def split_level_label(label: str) -> tuple[str, str]:
    """(level id, level name): 'P1 - Junior' -> ('P1', 'Junior'), '2' -> ('2', 'Level 2'),
    'Senior Engineer' -> ('senior-engineer', 'Senior Engineer')."""
    text = strip_markup(label).strip().rstrip(":").strip()
    match = _CODE_AND_NAME.match(text)
    if match and not LEVEL_WORDS.fullmatch(match.group("id")):
        return match.group("id"), match.group("name").strip()
    level_id = text if _VALID_ID.match(text) else (slugify(text) or text)
    name = f"Level {text}" if re.fullmatch(r"\d{1,2}|[IVXivx]{1,5}", text) else text
    return level_id, name
