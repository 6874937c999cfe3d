"""When two behaviour texts count as "the same behaviour, lightly edited": one rule for re-imports and diffs."""

from __future__ import annotations

import difflib

SIMILARITY_THRESHOLD = 0.85


def text_similarity(a: str, b: str) -> float:
    """difflib's ratio of the two texts, or 0.0 when it is surely under `SIMILARITY_THRESHOLD` (cheap bounds)."""
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILARITY_THRESHOLD or matcher.quick_ratio() < SIMILARITY_THRESHOLD:
        return 0.0
    return matcher.ratio()
