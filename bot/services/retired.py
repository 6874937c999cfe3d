"""A retired behaviour: one a person's evidence or verdict names that their ladder no longer has.

When a ladder file drops a behaviour, nothing recorded against it is deleted: the tag and the
assessment keep their snapshot of the text (`EvidenceTag.behaviour_text`, `Assessment.behaviour_text`),
and every place that shows them (Home's recent evidence, the digest, the packet) marks them with `LABEL`.
"""

from __future__ import annotations

from frameworks import Framework

LABEL = "retired behaviour"


def is_retired(framework: Framework | None, framework_id: str, behaviour_id: str) -> bool:
    """The behaviour was on `framework_id` but the loaded version of that ladder no longer has it."""
    return framework is not None and framework.id == framework_id and framework.find_behaviour(behaviour_id) is None


def shown(text: str, retired: bool) -> str:
    """The snapshot text, marked when the behaviour is retired."""
    return f"{text} ({LABEL})" if retired else text
