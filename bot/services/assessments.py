"""Verdicts on behaviours: the one way one is recorded, and what the current ones are.

An assessment is one rater's verdict (self or manager) on one behaviour of the person's ladder. New
verdicts never overwrite old ones; "current" is the latest per rater. Who may judge is decided here:
the person rates themself, their current accepted manager rates as manager, nobody else does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services import access
from frameworks import Behaviour, Framework
from storage.models import Assessment, Person, Rater, Verdict
from storage.repositories.assessments import AssessmentRow
from storage.uow import UnitOfWork

VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.NOT_YET: "Not yet",
    Verdict.SOMETIMES: "Sometimes",
    Verdict.CONSISTENTLY: "Consistently",
}
VERDICT_ORDER = (Verdict.NOT_YET, Verdict.SOMETIMES, Verdict.CONSISTENTLY)


def step_of(verdict: Verdict) -> int:
    return VERDICT_ORDER.index(verdict)


@dataclass(frozen=True, slots=True)
class VerdictView:
    """A verdict as the services hand it on: plain values, no session needed."""

    id: int
    behaviour_id: str
    area_id: str
    level_id: str
    behaviour_text: str
    rater: Rater
    verdict: Verdict
    comment: str | None
    evidence_ids: tuple[int, ...]
    created_at: datetime
    checkin_id: int | None
    framework_version: int

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]


def view_of(row: Assessment | AssessmentRow) -> VerdictView:
    return VerdictView(
        id=row.id,
        behaviour_id=row.behaviour_id,
        area_id=row.area_id,
        level_id=row.level_id,
        behaviour_text=row.behaviour_text,
        rater=row.rater,
        verdict=row.verdict,
        comment=row.comment,
        evidence_ids=tuple(row.evidence_ids or ()),
        created_at=row.created_at,
        checkin_id=row.checkin_id,
        framework_version=row.framework_version,
    )


@dataclass(frozen=True, slots=True)
class CurrentVerdicts:
    """The latest visible verdict per behaviour, for each rater."""

    self_verdicts: Mapping[str, VerdictView]
    manager_verdicts: Mapping[str, VerdictView]

    def of(self, rater: Rater) -> Mapping[str, VerdictView]:
        return self.self_verdicts if rater is Rater.SELF else self.manager_verdicts


EMPTY = CurrentVerdicts({}, {})


@dataclass(frozen=True, slots=True)
class Disagreement:
    behaviour_id: str
    behaviour_text: str
    area_id: str
    self_verdict: Verdict
    manager_verdict: Verdict

    @property
    def steps(self) -> int:
        return abs(step_of(self.self_verdict) - step_of(self.manager_verdict))


def rater_role(uow: UnitOfWork, rater: Person, person: Person) -> Rater | None:
    """How `rater` may judge `person`: themself, as their current manager, or not at all."""
    if rater.id == person.id:
        return Rater.SELF
    if access.is_current_manager(uow, rater, person):
        return Rater.MANAGER
    return None


def record(
    uow: UnitOfWork,
    *,
    person: Person,
    rater: Person,
    role: Rater,
    framework: Framework,
    behaviour: Behaviour,
    verdict: Verdict,
    now: datetime,
    comment: str | None = None,
    evidence_ids: Iterable[int] = (),
    checkin_id: int | None = None,
    source_key: str | None = None,
) -> tuple[VerdictView, bool]:
    """Store one verdict (with the behaviour's snapshot); (verdict, created). The caller has checked the
    rater's right (`rater_role`) and that the behaviour is on the person's ladder."""
    row, created = uow.assessments.add_once(
        Assessment(
            person_id=person.id,
            rater_id=rater.id,
            rater=role,
            checkin_id=checkin_id,
            framework_id=framework.id,
            framework_version=framework.version,
            behaviour_id=behaviour.id,
            area_id=behaviour.area_id,
            level_id=behaviour.level_id,
            behaviour_text=behaviour.text,
            verdict=verdict,
            comment=(comment or "").strip() or None,
            evidence_ids=sorted(set(evidence_ids)),
            source_key=source_key,
            created_at=now,
        )
    )
    return view_of(row), created


def current(uow: UnitOfWork, person_id: int, framework_id: str, *, viewer: Rater | None = None) -> CurrentVerdicts:
    """Current verdicts the viewer may see: revealed ones, plus the viewer's own blind ones."""
    by_rater: dict[Rater, dict[str, VerdictView]] = {Rater.SELF: {}, Rater.MANAGER: {}}
    for (rater, behaviour_id), row in uow.assessments.current(person_id, framework_id, viewer=viewer).items():
        by_rater[rater][behaviour_id] = view_of(row)
    return CurrentVerdicts(by_rater[Rater.SELF], by_rater[Rater.MANAGER])


def disagreements(verdicts: CurrentVerdicts, behaviour_ids: Sequence[str], *, min_steps: int = 1) -> list[Disagreement]:
    """Behaviours where self and manager differ by at least `min_steps`, widest gaps first."""
    found = []
    for behaviour_id in behaviour_ids:
        mine, theirs = verdicts.self_verdicts.get(behaviour_id), verdicts.manager_verdicts.get(behaviour_id)
        if mine is None or theirs is None or abs(step_of(mine.verdict) - step_of(theirs.verdict)) < min_steps:
            continue
        found.append(Disagreement(behaviour_id, theirs.behaviour_text, theirs.area_id, mine.verdict, theirs.verdict))
    return sorted(found, key=lambda d: -d.steps)


def parse_verdict(value: str) -> Verdict | None:
    """A verdict from a form value or a typed word ("consistently", "not yet", "not_yet")."""
    folded = value.strip().lower().replace(" ", "_").replace("-", "_")
    return next((v for v in Verdict if v.value == folded), None)
