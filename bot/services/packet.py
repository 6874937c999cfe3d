"""The promotion packet: every behaviour of someone's next milestone with all of their evidence for it.

Slack-free. `build_packet` loads with a fixed number of statements; `render_markdown`, `render_csv` and
`render_json` (over `packet_to_json`) turn it into a document. Behaviours without evidence are listed,
never hidden, and evidence tagged to other behaviours (or to none) gets its own section so nothing a
person recorded is left out.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services.digests import (
    NO_PLACEMENT,
    UNKNOWN_LADDER,
    UNKNOWN_LEVEL,
    AreaEvidence,
    EvidenceItem,
    MilestoneArea,
    PersonRef,
    group_by_area,
    item_of,
    milestone_areas,
)
from bot.services.timing import local_date
from frameworks import Framework, Library
from frameworks.lookups import current_level_label
from storage.models import Person
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class PacketBehaviour:
    behaviour_id: str
    text: str
    qualifier: str | None
    items: tuple[EvidenceItem, ...]


@dataclass(frozen=True, slots=True)
class PacketArea:
    area_id: str
    area_name: str
    level_name: str | None  # None: at the top level of this area
    behaviours: tuple[PacketBehaviour, ...]

    @property
    def covered(self) -> int:
        return sum(1 for b in self.behaviours if b.items)

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

    @property
    def behaviours_without_evidence(self) -> list[tuple[PacketArea, PacketBehaviour]]:
        return [(area, b) for area in self.areas for b in area.behaviours if not b.items]


def assemble_packet(
    person: Person,
    framework: Framework | None,
    framework_id: str | None,
    levels_by_area: dict[str, str],
    track: str | None,
    items: Sequence[EvidenceItem],
    now: datetime,
) -> Packet:
    notes: list[str] = []
    milestone: list[MilestoneArea] = []
    level_label = None
    if framework_id is None:
        notes.append(NO_PLACEMENT)
    elif framework is None:
        notes.append(UNKNOWN_LADDER.format(framework_id=framework_id))
    else:
        try:
            milestone = milestone_areas(framework, levels_by_area, track)
            level_label = current_level_label(framework, levels_by_area)
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
                PacketBehaviour(b.id, b.text, b.qualifier, tuple(by_behaviour.get(b.id, ()))) for b in area.behaviours
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
    )


def build_packet(uow: UnitOfWork, library: Library, person: Person, *, now: datetime) -> Packet:
    """A person's packet: two statements for the placement and their evidence, whatever its amount."""
    placement = uow.placements.current_for(person.id)
    items = [item_of(e) for e in uow.evidence.with_tags(person.id)]
    if placement is None:
        return assemble_packet(person, None, None, {}, None, items, now)
    return assemble_packet(
        person,
        library.get(placement.framework_id),
        placement.framework_id,
        dict(placement.levels or {}),
        placement.track,
        items,
        now,
    )


# --- rendering ------------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _md_block(text: str, indent: str) -> str:
    """Evidence text as written, every line indented so a multi-line item stays inside its bullet."""
    lines = text.splitlines() or [""]
    return ("\n" + indent).join(line.rstrip() for line in lines)


def _md_item(item: EvidenceItem, tz: str) -> str:
    day = local_date(item.created_at, tz).isoformat()
    link = f" ([link](<{item.link}>))" if item.link else ""
    return f"  - {day}: {_md_block(item.text, '    ')}{link}"


def render_markdown(packet: Packet) -> str:
    tz = packet.person.tz
    out: list[str] = [f"# Promotion packet: {packet.person.name}", ""]
    facts = [f"Generated {local_date(packet.generated_at, tz).isoformat()}"]
    if packet.framework_name:
        facts.append(f"ladder: {packet.framework_name}")
    if packet.current_level:
        facts.append(f"current level: {packet.current_level}")
    facts.append(f"{packet.evidence_count} evidence items")
    out += [" · ".join(facts), ""]
    out += [f"> {note}" for note in packet.notes] + ([""] if packet.notes else [])

    if packet.areas:
        out += ["## Coverage of the next milestone", "", "| Area | Next level | Behaviours with evidence |"]
        out += ["|---|---|---|"]
        for area in packet.areas:
            level = area.level_name or "top level reached"
            out.append(f"| {_md_cell(area.area_name)} | {_md_cell(level)} | {area.covered} / {area.total} |")
        total = sum(a.total for a in packet.areas)
        covered = sum(a.covered for a in packet.areas)
        out += [f"| **All areas** | | **{covered} / {total}** |", ""]

        for area in packet.areas:
            heading = f"## {area.area_name}" + (f" — {area.level_name}" if area.level_name else "")
            out += [heading, "", f"{area.covered} of {area.total} behaviours have evidence.", ""]
            if area.level_name is None:
                out += ["Already at the top level of this area.", ""]
            elif not area.behaviours:
                out += ["The ladder lists no behaviours for this level.", ""]
            for behaviour in area.behaviours:
                qualifier = f" _({behaviour.qualifier})_" if behaviour.qualifier else ""
                out.append(f"### {_md_cell(behaviour.text)}{qualifier}")
                out.append("")
                if behaviour.items:
                    out += [_md_item(item, tz) for item in behaviour.items]
                else:
                    out.append("  - _No evidence yet._")
                out.append("")

        missing = packet.behaviours_without_evidence
        out += ["## Behaviours without evidence", ""]
        if missing:
            out += [f"- {_md_cell(b.text)} ({_md_cell(a.area_name)})" for a, b in missing]
        else:
            out.append("Every behaviour of the next milestone has evidence.")
        out.append("")

    if packet.other_evidence:
        out += ["## Other evidence", "", "Tagged to behaviours outside the next milestone, or not tagged.", ""]
        for area in packet.other_evidence:
            for group in area.behaviours:
                out += [f"### {_md_cell(area.area_name)}: {_md_cell(group.text)}", ""]
                out += [_md_item(item, tz) for item in group.items]
                out.append("")
    return "\n".join(out).rstrip() + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(text: str | None) -> str:
    # A spreadsheet would run a cell starting with these as a formula; a leading quote keeps it text.
    if not text:
        return ""
    return "'" + text if text.startswith(_FORMULA_START) else text


CSV_HEADER = ["area", "next_level", "behaviour_id", "behaviour", "evidence_id", "date", "evidence", "link"]


def render_csv(packet: Packet) -> str:
    """One row per (behaviour, evidence item); a behaviour without evidence gets one row with empty evidence."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    tz = packet.person.tz

    def row(area: str, level: str, behaviour_id: str, behaviour: str, item: EvidenceItem | None) -> list[str]:
        if item is None:
            return [area, level, behaviour_id, _csv_safe(behaviour), "", "", "", ""]
        day = local_date(item.created_at, tz).isoformat()
        return [
            area,
            level,
            behaviour_id,
            _csv_safe(behaviour),
            str(item.id),
            day,
            _csv_safe(item.text),
            _csv_safe(item.link),
        ]

    for area in packet.areas:
        for behaviour in area.behaviours:
            if not behaviour.items:
                writer.writerow(
                    row(area.area_name, area.level_name or "", behaviour.behaviour_id, behaviour.text, None)
                )
            for item in behaviour.items:
                writer.writerow(
                    row(area.area_name, area.level_name or "", behaviour.behaviour_id, behaviour.text, item)
                )
    for other in packet.other_evidence:
        for group in other.behaviours:
            for item in group.items:
                writer.writerow(row(other.area_name, "", group.behaviour_id or "", group.text, item))
    return buffer.getvalue()


# --- JSON -----------------------------------------------------------------------------------------

JSON_KIND = "growthbot.promotion_packet"
JSON_VERSION = 1


def _json_item(item: EvidenceItem, tz: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "date": local_date(item.created_at, tz).isoformat(),
        "created_at": item.created_at.isoformat() + "Z",
        "text": item.text,
        "link": item.link,
    }


def packet_to_json(packet: Packet) -> dict[str, Any]:
    """The packet as plain JSON values: each next-milestone behaviour per area with its evidence, coverage
    per area, the behaviours without evidence, and the evidence outside the milestone. Dates are in the
    person's time zone; `created_at` is UTC."""
    tz = packet.person.tz
    areas = [
        {
            "area_id": area.area_id,
            "area": area.area_name,
            "next_level": area.level_name,  # None: already at the top level of this area
            "covered": area.covered,
            "total": area.total,
            "behaviours": [
                {
                    "behaviour_id": b.behaviour_id,
                    "text": b.text,
                    "qualifier": b.qualifier,
                    "evidence": [_json_item(item, tz) for item in b.items],
                }
                for b in area.behaviours
            ],
        }
        for area in packet.areas
    ]
    return {
        "kind": JSON_KIND,
        "version": JSON_VERSION,
        "person": {
            "id": packet.person.person_id,
            "slack_user_id": packet.person.slack_user_id,
            "name": packet.person.name,
            "tz": tz,
        },
        "generated_at": packet.generated_at.isoformat() + "Z",
        "ladder": packet.framework_name,
        "current_level": packet.current_level,
        "evidence_count": packet.evidence_count,
        "notes": list(packet.notes),
        "coverage": {
            "covered": sum(a.covered for a in packet.areas),
            "total": sum(a.total for a in packet.areas),
            "areas": [{k: area[k] for k in ("area_id", "area", "next_level", "covered", "total")} for area in areas],
        },
        "areas": areas,
        "behaviours_without_evidence": [
            {"area_id": a.area_id, "area": a.area_name, "behaviour_id": b.behaviour_id, "text": b.text}
            for a, b in packet.behaviours_without_evidence
        ],
        "other_evidence": [
            {
                "area_id": other.area_id,
                "area": other.area_name,
                "behaviours": [
                    {
                        "behaviour_id": group.behaviour_id,
                        "text": group.text,
                        "evidence": [_json_item(item, tz) for item in group.items],
                    }
                    for group in other.behaviours
                ],
            }
            for other in packet.other_evidence
        ],
    }


def render_json(packet: Packet) -> str:
    return json.dumps(packet_to_json(packet), indent=2, ensure_ascii=False) + "\n"
