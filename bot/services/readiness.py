"""Readiness for the next level, per area: the one home of the rule.

An area is ready when the share of its next level's behaviours whose current **manager** verdict is
`consistently` reaches the framework's bar (YAML `readiness:`, default all of them). Self verdicts are
shown beside it but never make anyone ready; nothing is ever promoted automatically.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from bot.services.assessments import CurrentVerdicts, VerdictView
from frameworks import Framework, NextMilestone
from storage.models import Verdict


@dataclass(frozen=True, slots=True)
class AreaReadiness:
    area_id: str
    area_name: str
    level_id: str | None  # the next level; None at the top of the ladder
    level_name: str | None
    consistently: int  # behaviours the manager currently judges "consistently"
    total: int
    needed: int  # how many "consistently" verdicts the bar asks for
    bar: float
    self_counts: Mapping[Verdict, int]
    manager_counts: Mapping[Verdict, int]

    @property
    def at_top(self) -> bool:
        return self.level_id is None

    @property
    def ready(self) -> bool:
        return not self.at_top and self.total > 0 and self.consistently >= self.needed

    @property
    def judged(self) -> int:
        """Behaviours with any manager verdict."""
        return sum(self.manager_counts.values())

    @property
    def headline(self) -> str:
        """The line people read: "Ready for Level 3 in Delivery", or how far it is."""
        if self.at_top:
            return f"{self.area_name}: at the top of the ladder"
        if self.ready:
            return f"Ready for {self.level_name} in {self.area_name}"
        return f"{self.area_name}: {self.consistently} of {self.needed} needed for {self.level_name}"


def needed_for(total: int, bar: float) -> int:
    """Verdicts needed: the bar's share of the behaviours, rounded up (80% of 6 asks for 5)."""
    return min(total, math.ceil(total * bar - 1e-9))


def _counts(verdicts: Mapping[str, VerdictView], behaviour_ids: list[str]) -> Counter[Verdict]:
    return Counter(verdicts[b].verdict for b in behaviour_ids if b in verdicts)


def readiness(framework: Framework, milestone: NextMilestone, verdicts: CurrentVerdicts) -> tuple[AreaReadiness, ...]:
    """Per area of the milestone, in ladder order."""
    rows = []
    for step in milestone.areas:
        ids = [b.id for b in step.behaviours]
        manager = _counts(verdicts.manager_verdicts, ids)
        bar = framework.bar_for(step.area.id)
        rows.append(
            AreaReadiness(
                area_id=step.area.id,
                area_name=step.area.name,
                level_id=step.next_level.id if step.next_level else None,
                level_name=step.next_level.name if step.next_level else None,
                consistently=manager[Verdict.CONSISTENTLY],
                total=len(ids),
                needed=needed_for(len(ids), bar),
                bar=bar,
                self_counts=_counts(verdicts.self_verdicts, ids),
                manager_counts=manager,
            )
        )
    return tuple(rows)
