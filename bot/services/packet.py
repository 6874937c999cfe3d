"""The promotion packet: every behaviour of someone's next milestone with all of their evidence for it.

Slack-free. `build_packet` loads with a fixed number of statements; bot.services.packet_render turns
it into a document (`render_markdown`, `render_csv`, `render_json`). Behaviours without evidence are listed,
never hidden, and evidence tagged to other behaviours (or to none) gets its own section so nothing a
person recorded is left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.services import assessments, last_evidence, retired
from bot.services.assessments import EMPTY, CurrentVerdicts, VerdictView
from bot.services.digest_content import AreaEvidence, EvidenceItem, MilestoneArea, PersonRef
from bot.services.digests import NO_PLACEMENT, UNKNOWN_LADDER, UNKNOWN_LEVEL, group_by_area, item_of, milestone_areas
from bot.services.readiness import AreaReadiness, readiness
from frameworks import Framework, Library
from frameworks.lookups import current_level_label, next_milestone
from storage.models import Person, Rater
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class PacketBehaviour:
    behaviour_id: str
    text: str
    qualifier: str | None
    items: tuple[EvidenceItem, ...]  # cited by a current verdict first, then the rest, oldest first
    self_verdict: VerdictView | None = None
    manager_verdict: VerdictView | None = None

    def cited(self, item: EvidenceItem) -> bool:
        return any(v is not None and item.id in v.evidence_ids for v in (self.self_verdict, self.manager_verdict))

    def dispute_of(self, item: EvidenceItem) -> tuple[bool, str | None]:
        """(disputed, the manager's comment) for this item's tag on this behaviour."""
        for tag in item.tags:
            if tag.behaviour_id == self.behaviour_id and tag.disputed:
                return True, tag.dispute_comment
        return False, None

    def counted(self) -> tuple[EvidenceItem, ...]:
        return tuple(item for item in self.items if not self.dispute_of(item)[0])


@dataclass(frozen=True, slots=True)
class PacketArea:
    area_id: str
    area_name: str
    level_name: str | None  # None: at the top level of this area
    behaviours: tuple[PacketBehaviour, ...]

    @property
    def covered(self) -> int:
        return sum(1 for b in self.behaviours if b.counted())  # disputed evidence never counts

    @property
    def total(self) -> int:
        return len(self.behaviours)


@dataclass(frozen=True, slots=True)
class Packet:
    person: PersonRef
    generated_at: datetime
    framework_name: str | None
    current_level: str | None
    areas: tuple[PacketArea, ...]
    other_evidence: tuple[AreaEvidence, ...]
    evidence_count: int
    notes: tuple[str, ...] = ()
    framework_version: int | None = None  # the ladder version the verdicts are judged against
    readiness: tuple[AreaReadiness, ...] = ()
    framework_credit: str | None = None  # who wrote the ladder (its `source:`), credited in the document
    # Verdicts on behaviours the loaded ladder no longer has (bot.services.retired): kept, with their snapshot.
    retired_verdicts: tuple[VerdictView, ...] = ()

    @property
    def last_evidence_at(self) -> datetime | None:
        """bot.services.last_evidence's "last answer", over the packet's items (all of them)."""
        items = [i for area in self.areas for b in area.behaviours for i in b.items]
        items += [i for area in self.other_evidence for b in area.behaviours for i in b.items]
        return last_evidence.latest(i.created_at for i in items)

    @property
    def behaviours_without_evidence(self) -> list[tuple[PacketArea, PacketBehaviour]]:
        return [(area, b) for area in self.areas for b in area.behaviours if not b.counted()]


def assemble_packet(
    person: Person,
    framework: Framework | None,
    framework_id: str | None,
    levels_by_area: dict[str, str],
    track: str | None,
    items: Sequence[EvidenceItem],
    now: datetime,
    verdicts: CurrentVerdicts = EMPTY,
) -> Packet:
    notes: list[str] = []
    milestone: list[MilestoneArea] = []
    ready: tuple[AreaReadiness, ...] = ()
    level_label = None
    if framework_id is None:
        notes.append(NO_PLACEMENT)
    elif framework is None:
        notes.append(UNKNOWN_LADDER.format(framework_id=framework_id))
    else:
        try:
            milestone = milestone_areas(framework, levels_by_area, track)
            level_label = current_level_label(framework, levels_by_area)
            ready = readiness(framework, next_milestone(framework, levels_by_area, track), verdicts)
        except KeyError:
            notes.append(UNKNOWN_LEVEL.format(framework=framework.name))

    wanted = {b.id for area in milestone for b in area.behaviours}
    by_behaviour: dict[str, list[EvidenceItem]] = defaultdict(list)
    other: list[EvidenceItem] = []
    for item in sorted(items, key=lambda i: (i.created_at, i.id)):
        matched = [t for t in item.tags if framework is not None and t.framework_id == framework.id]
        hits = [t.behaviour_id for t in matched if t.behaviour_id in wanted]
        for behaviour_id in hits:
            by_behaviour[behaviour_id].append(item)
        if not hits:
            other.append(item)

    areas = tuple(
        PacketArea(
            area_id=area.area_id,
            area_name=area.area_name,
            level_name=area.level_name,
            behaviours=tuple(
                _behaviour(b.id, b.text, b.qualifier, by_behaviour.get(b.id, []), verdicts) for b in area.behaviours
            ),
        )
        for area in milestone
    )
    return Packet(
        person=PersonRef.of(person),
        generated_at=now,
        framework_name=framework.name if framework else None,
        current_level=level_label,
        areas=areas,
        other_evidence=group_by_area(other, framework),
        evidence_count=len(items),
        notes=tuple(notes),
        framework_version=framework.version if framework else None,
        readiness=ready,
        framework_credit=framework.source if framework else None,
        retired_verdicts=tuple(
            v
            for v in (*verdicts.self_verdicts.values(), *verdicts.manager_verdicts.values())
            if framework_id is not None and retired.is_retired(framework, framework_id, v.behaviour_id)
        ),
    )


def _behaviour(
    behaviour_id: str, text: str, qualifier: str | None, items: Sequence[EvidenceItem], verdicts: CurrentVerdicts
) -> PacketBehaviour:
    mine, theirs = verdicts.self_verdicts.get(behaviour_id), verdicts.manager_verdicts.get(behaviour_id)
    cited = {i for v in (mine, theirs) if v is not None for i in v.evidence_ids}
    ordered = [i for i in items if i.id in cited] + [i for i in items if i.id not in cited]
    return PacketBehaviour(behaviour_id, text, qualifier, tuple(ordered), mine, theirs)


def build_packet(
    uow: UnitOfWork, library: Library, person: Person, *, now: datetime, viewer: Rater | None = None
) -> Packet:
    """A person's packet: four statements for the placement, their evidence and the verdicts `viewer`
    may see (the person: their own blind ones too; None: only revealed ones), whatever their amount."""
    placement = uow.placements.current_for(person.id)
    items = [item_of(e) for e in uow.evidence.with_tags(person.id)]
    if placement is None:
        return assemble_packet(person, None, None, {}, None, items, now)
    verdicts = assessments.current(uow, person.id, placement.framework_id, viewer=viewer)
    return assemble_packet(
        person,
        library.get(placement.framework_id),
        placement.framework_id,
        dict(placement.levels or {}),
        placement.track,
        items,
        now,
        verdicts,
    )
