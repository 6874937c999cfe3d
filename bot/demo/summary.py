"""The end of the demo: the last digest the manager received, and a coverage summary per engineer.

The digest is shown as the fake Slack recorded it; the summary is read from the bot's own tables
(prompts, evidence, digests) with its repositories and the same coverage rule the digests use.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from bot.blocks.common import progress_bar, shorten
from bot.demo import render
from bot.demo.runner import DemoWorld
from bot.demo.scenario_log import ScenarioLog
from bot.services.digest_content import BehaviourStat
from bot.services.digests import coverage_for, milestone_areas
from storage.models import Digest, DigestState, Evidence, OneOnOne

AREA_LABEL_MAX = 28
BRIEF_AREAS = 4
FINAL_BRIEF_LINES = 14  # the brief summary lists the areas of a ladder with at most this many


@dataclass(frozen=True)
class AreaLine:
    area: str
    level: str | None
    covered: int
    total: int


@dataclass(frozen=True)
class EngineerSummary:
    slack_id: str
    name: str
    framework: str
    prompts: Counter[str]  # prompt state -> count; also "delivered" and "reminded"
    skip_reasons: tuple[str, ...]
    evidence: Counter[str]  # source -> count
    evidence_total: int
    areas: tuple[AreaLine, ...]


@dataclass(frozen=True)
class DigestRecord:
    """One digest the bot sent: for whom, when, before which meeting, and what it covered."""

    report_slack_id: str
    manager_slack_id: str
    sent_at: datetime
    meeting_at: datetime
    period_start: datetime
    period_end: datetime
    channel_id: str | None
    message_ts: tuple[str, ...]
    evidence_in_period: int


@dataclass
class Summary:
    engineers: list[EngineerSummary] = field(default_factory=list)
    digests: list[DigestRecord] = field(default_factory=list)
    evidence_rows: list[tuple[str, str, str | None]] = field(default_factory=list)  # (slack id, text, source key)
    evidence_tags: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # (slack id, text) -> ids


def build(world: DemoWorld, log: ScenarioLog) -> Summary:
    summary = Summary()
    team = world.team
    with world.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(team.team_id)
        if workspace is None:
            return summary
        people = {}
        for member in team.members:
            person = uow.people.get_by_slack_id(workspace.id, member.slack_id)
            if person is not None:
                people[member.slack_id] = person
        by_id = {person.id: slack_id for slack_id, person in people.items()}
        for member in team.engineers:
            person = people.get(member.slack_id)
            if person is None:
                continue
            prompts = uow.prompts.all_for(person.id)
            states: Counter[str] = Counter(str(prompt.state) for prompt in prompts)
            states["reminded"] = sum(1 for prompt in prompts if prompt.reminder_sent_at is not None)
            states["delivered"] = sum(1 for prompt in prompts if prompt.sent_at is not None)
            reasons = tuple(prompt.skip_reason or "" for prompt in prompts if prompt.state == "skipped")
            evidence = uow.evidence.all_for(person.id)
            live = [item for item in evidence if item.deleted_at is None]
            summary.evidence_rows += [(member.slack_id, item.text, item.source_key) for item in live]
            for item in live:
                summary.evidence_tags[(member.slack_id, item.text)] = tuple(tag.behaviour_id for tag in item.tags)
            sources: Counter[str] = Counter(str(item.source) for item in live)
            placement = uow.placements.current_for(person.id)
            areas: tuple[AreaLine, ...] = ()
            framework = world.deps.library.get(placement.framework_id) if placement else None
            if placement is not None and framework is not None:
                milestone = milestone_areas(framework, placement.levels, placement.track)
                ids = [behaviour.id for area in milestone for behaviour in area.behaviours]
                stats = {
                    behaviour_id: BehaviourStat(found.count, found.last_at)
                    for behaviour_id, found in uow.evidence.coverage(person.id, framework.id, ids).items()
                }
                areas = tuple(
                    AreaLine(row.area_name, row.level_name, row.covered, row.total)
                    for row in coverage_for(milestone, stats)
                )
            summary.engineers.append(
                EngineerSummary(
                    member.slack_id,
                    member.name,
                    framework.name if framework else (placement.framework_id if placement else "?"),
                    states,
                    reasons,
                    sources,
                    len(live),
                    areas,
                )
            )
        session = uow.session
        rows = session.query(Digest, OneOnOne).join(OneOnOne, OneOnOne.id == Digest.one_on_one_id).all()
        for digest, meeting in sorted(rows, key=lambda row: (row[0].sent_at or datetime.max, row[0].id)):
            if digest.state != DigestState.SENT or digest.sent_at is None:
                continue
            count = (
                session.query(Evidence)
                .filter(
                    Evidence.person_id == meeting.report_id,
                    Evidence.deleted_at.is_(None),
                    Evidence.created_at >= digest.period_start,
                    Evidence.created_at < digest.period_end,
                )
                .count()
            )
            summary.digests.append(
                DigestRecord(
                    report_slack_id=by_id.get(meeting.report_id, "?"),
                    manager_slack_id=by_id.get(meeting.manager_id, "?"),
                    sent_at=digest.sent_at,
                    meeting_at=datetime.fromisoformat(digest.period_key).replace(tzinfo=None),
                    period_start=digest.period_start,
                    period_end=digest.period_end,
                    channel_id=digest.channel_id,
                    message_ts=tuple(digest.message_ts or ()),
                    evidence_in_period=count,
                )
            )
    return summary


def print_final(out: TextIO, world: DemoWorld, summary: Summary, *, width: int = 78, brief: bool = False) -> None:
    transcript = world.transcript
    names = transcript.names
    out.write("\n" + "═" * width + "\n")
    if summary.digests:
        last = summary.digests[-1]
        manager, report = names.get(last.manager_slack_id, "?"), names.get(last.report_slack_id, "?")
        out.write(f"The final digest: {manager}'s, before the 1:1 with {report}\n")
        messages = (
            [message for message in world.fake.messages(last.channel_id) if message.get("ts") in set(last.message_ts)]
            if last.channel_id
            else []
        )
        for message in messages:
            lines = render.message(message, transcript.options)
            if brief and len(lines) > FINAL_BRIEF_LINES:
                lines = [*lines[: FINAL_BRIEF_LINES - 1], "… (growthbot demo --full shows it all)"]
            stamp = transcript.when(last.sent_at, last.manager_slack_id)
            for line in render.frame(f"DM to {manager} · {stamp}", lines, width=width):
                out.write(line + "\n")
    else:
        out.write("No digest was sent in this run (1:1s fall later than the simulated weeks).\n")
    out.write("\nCoverage summary (next milestone, behaviours with at least one piece of evidence)\n")
    for engineer in summary.engineers:
        prompts = engineer.prompts
        sources = ", ".join(f"{count} by {_source(source)}" for source, count in sorted(engineer.evidence.items()))
        out.write(f"\n{engineer.name} · {engineer.framework}\n")
        skipped = "".join(
            f", 1 skipped ({render.emojize(reason) or 'no reason given'})" for reason in engineer.skip_reasons
        )
        reminders = f"{prompts['reminded']} reminder{'s' if prompts['reminded'] != 1 else ''}"
        out.write(
            f"  prompts: {prompts['delivered']} delivered, {prompts['answered']} answered{skipped}, {reminders}\n"
        )
        out.write(f"  evidence: {engineer.evidence_total} ({sources or 'none'})\n")
        label_width = min(max((len(area.area) for area in engineer.areas), default=0), AREA_LABEL_MAX)
        if brief and len(engineer.areas) > BRIEF_AREAS:
            covered = sum(area.covered for area in engineer.areas)
            total = sum(area.total for area in engineer.areas)
            out.write(
                f"  {progress_bar(covered, total)} across {len(engineer.areas)} areas "
                "(growthbot demo --full lists them)\n"
            )
            continue
        for area in engineer.areas:
            level = f" → {area.level}" if area.level else " (top level)"
            label = shorten(area.area, label_width)
            out.write(f"  {label:<{label_width}}  {progress_bar(area.covered, area.total)}{level}\n")


def _source(source: str) -> str:
    return {
        "modal": "modal",
        "prompt_reply": "thread reply",
        "command": "/ladder log",
        "shortcut": "shortcut",
    }.get(source, source)
