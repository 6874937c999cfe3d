"""The promotion packet as a document: Markdown (the Slack upload and `growthbot export`), CSV and JSON.

Slack-free and pure: bot.services.packet builds the Packet; these only format it. Verdicts come with
their dates and comments, cited evidence is marked and listed first, disputed evidence is marked as
such (shown, never hidden, never counted).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.services import last_evidence, retired
from bot.services.assessments import VerdictView
from bot.services.digest_content import EvidenceItem
from bot.services.packet import Packet, PacketBehaviour
from bot.services.timing import local_date
from storage.models import Rater


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _md_block(text: str, indent: str) -> str:
    """Evidence text as written, every line indented so a multi-line item stays inside its bullet."""
    lines = text.splitlines() or [""]
    return ("\n" + indent).join(line.rstrip() for line in lines)


def _md_item(item: EvidenceItem, tz: str, behaviour: PacketBehaviour | None = None) -> str:
    day = local_date(item.created_at, tz).isoformat()
    link = f" ([link](<{item.link}>))" if item.link else ""
    marks = ""
    if behaviour is not None:
        if behaviour.cited(item):
            marks += " _(cited)_"
        disputed, comment = behaviour.dispute_of(item)
        if disputed:
            marks += " **disputed: doesn't show this**" + (f" ({_md_cell(comment)})" if comment else "")
    return f"  - {day}:{marks} {_md_block(item.text, '    ')}{link}"


def _md_verdict(label: str, verdict: VerdictView | None, tz: str) -> str:
    if verdict is None:
        return f"- {label}: _no verdict yet_"
    day = local_date(verdict.created_at, tz).isoformat()
    comment = f" — {_md_cell(verdict.comment)}" if verdict.comment else ""
    return (
        f"- {label}: **{verdict.label}** ({day}){comment} · judged against ladder version {verdict.framework_version}"
    )


def _md_readiness(packet: Packet) -> list[str]:
    if not packet.readiness:
        return []
    out = ["## Readiness for the next level", "", "Manager verdicts “consistently” against the ladder's bar.", ""]
    out += ["| Area | Next level | Consistently | Needed | Ready |", "|---|---|---|---|---|"]
    for area in packet.readiness:
        if area.at_top:
            out.append(f"| {_md_cell(area.area_name)} | top level reached | | | |")
            continue
        ready = "yes" if area.ready else "no"
        out.append(
            f"| {_md_cell(area.area_name)} | {_md_cell(area.level_name or '')} | {area.consistently} / {area.total} "
            f"| {area.needed} | {ready} |"
        )
    return [*out, ""]


def render_markdown(packet: Packet, tz: str | None = None) -> str:
    """The packet in Markdown; dates are local to `tz`, the reader's (default: the person's own)."""
    tz = tz or packet.person.tz
    out: list[str] = [f"# Promotion packet: {packet.person.name}", ""]
    facts = [f"Generated {local_date(packet.generated_at, tz).isoformat()}"]
    if packet.framework_name:
        version = f" (version {packet.framework_version})" if packet.framework_version is not None else ""
        facts.append(f"ladder: {packet.framework_name}{version}")
    if packet.current_level:
        facts.append(f"current level: {packet.current_level}")
    facts.append(f"{packet.evidence_count} evidence items")
    if packet.last_evidence_at is not None:
        facts.append(f"{last_evidence.LABEL}: {local_date(packet.last_evidence_at, tz).isoformat()}")
    out += [" · ".join(facts), ""]
    if packet.framework_credit:
        out += [f"Ladder credit: {_md_cell(packet.framework_credit)}", ""]
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
        out += _md_readiness(packet)

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
                out.append(_md_verdict("Self", behaviour.self_verdict, tz))
                out.append(_md_verdict("Manager", behaviour.manager_verdict, tz))
                out.append("")
                if behaviour.items:
                    out += [_md_item(item, tz, behaviour) for item in behaviour.items]
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

    if packet.retired_verdicts:
        out += ["## Verdicts on retired behaviours", "", "The ladder no longer lists these; as written then.", ""]
        for verdict in packet.retired_verdicts:
            rater = "Self" if verdict.rater == Rater.SELF else "Manager"
            text = retired.shown(verdict.behaviour_text, True)
            out.append(_md_verdict(f"{rater} on “{_md_cell(text)}”", verdict, tz))
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


CSV_HEADER = [
    "area",
    "next_level",
    "behaviour_id",
    "behaviour",
    "evidence_id",
    "date",
    "evidence",
    "link",
    "self_verdict",
    "self_date",
    "self_comment",
    "manager_verdict",
    "manager_date",
    "manager_comment",
    "cited",
    "disputed",
    "dispute_comment",
    "ladder_version",  # the version the packet reads the ladder at (each verdict's own is in the JSON)
    "ladder_credit",
]


def _csv_verdict(verdict: VerdictView | None, tz: str) -> list[str]:
    if verdict is None:
        return ["", "", ""]
    return [verdict.verdict.value, local_date(verdict.created_at, tz).isoformat(), _csv_safe(verdict.comment)]


def render_csv(packet: Packet) -> str:
    """One row per (behaviour, evidence item); a behaviour without evidence gets one row with empty evidence."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    tz = packet.person.tz
    ladder = [str(packet.framework_version or ""), _csv_safe(packet.framework_credit)]

    def row(
        area: str,
        level: str,
        behaviour_id: str,
        behaviour: str,
        item: EvidenceItem | None,
        judged: PacketBehaviour | None = None,
    ) -> list[str]:
        verdicts = [*_csv_verdict(judged.self_verdict if judged else None, tz)]
        verdicts += _csv_verdict(judged.manager_verdict if judged else None, tz)
        if item is None:
            return [area, level, behaviour_id, _csv_safe(behaviour), "", "", "", "", *verdicts, "", "", "", *ladder]
        day = local_date(item.created_at, tz).isoformat()
        disputed, comment = judged.dispute_of(item) if judged else (False, None)
        return [
            area,
            level,
            behaviour_id,
            _csv_safe(behaviour),
            str(item.id),
            day,
            _csv_safe(item.text),
            _csv_safe(item.link),
            *verdicts,
            "yes" if judged and judged.cited(item) else "",
            "yes" if disputed else "",
            _csv_safe(comment),
            *ladder,
        ]

    for area in packet.areas:
        for b in area.behaviours:
            if not b.items:
                writer.writerow(row(area.area_name, area.level_name or "", b.behaviour_id, b.text, None, b))
            for item in b.items:
                writer.writerow(row(area.area_name, area.level_name or "", b.behaviour_id, b.text, item, b))
    for other in packet.other_evidence:
        for group in other.behaviours:
            for item in group.items:
                writer.writerow(row(other.area_name, "", group.behaviour_id or "", group.text, item))
    for verdict in packet.retired_verdicts:  # kept with their snapshot; the ladder no longer lists them
        mine = _csv_verdict(verdict, tz) if verdict.rater is Rater.SELF else ["", "", ""]
        theirs = _csv_verdict(verdict, tz) if verdict.rater is Rater.MANAGER else ["", "", ""]
        text = _csv_safe(retired.shown(verdict.behaviour_text, True))
        where = [verdict.area_id, verdict.level_id, verdict.behaviour_id, text, "", "", "", ""]
        writer.writerow([*where, *mine, *theirs, "", "", "", str(verdict.framework_version), ladder[1]])
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


def _json_verdict(verdict: VerdictView | None, tz: str) -> dict[str, Any] | None:
    if verdict is None:
        return None
    return {
        "verdict": verdict.verdict.value,
        "label": verdict.label,
        "date": local_date(verdict.created_at, tz).isoformat(),
        "created_at": verdict.created_at.isoformat() + "Z",
        "comment": verdict.comment,
        "evidence_ids": list(verdict.evidence_ids),
        "framework_version": verdict.framework_version,
    }


def _json_judged_item(item: EvidenceItem, tz: str, behaviour: PacketBehaviour) -> dict[str, Any]:
    disputed, comment = behaviour.dispute_of(item)
    return {**_json_item(item, tz), "cited": behaviour.cited(item), "disputed": disputed, "dispute_comment": comment}


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
                    "self_verdict": _json_verdict(b.self_verdict, tz),
                    "manager_verdict": _json_verdict(b.manager_verdict, tz),
                    "evidence": [_json_judged_item(item, tz, b) for item in b.items],
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
        "ladder_version": packet.framework_version,
        "ladder_credit": packet.framework_credit,
        "retired_verdicts": [
            {
                "behaviour_id": v.behaviour_id,
                "behaviour": v.behaviour_text,
                "area_id": v.area_id,
                "level_id": v.level_id,
                "rater": v.rater.value,
                "verdict": v.verdict.value,
                "comment": v.comment,
                "date": local_date(v.created_at, tz).isoformat(),
                "ladder_version": v.framework_version,
            }
            for v in packet.retired_verdicts
        ],
        "current_level": packet.current_level,
        "readiness": [
            {
                "area_id": r.area_id,
                "area": r.area_name,
                "next_level": r.level_name,
                "consistently": r.consistently,
                "total": r.total,
                "needed": r.needed,
                "bar": r.bar,
                "ready": r.ready,
                "headline": r.headline,
            }
            for r in packet.readiness
        ],
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
