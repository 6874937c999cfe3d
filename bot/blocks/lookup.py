"""Answers to `/ladder me|next|show|search`: ephemeral messages, always within 50 blocks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from slack_sdk.models.blocks import Block, HeaderBlock, MarkdownTextObject, SectionBlock

from bot.blocks.common import HEADER_TEXT_MAX, context, pack_lines, progress_bar, shorten
from bot.blocks.readiness import area_lines
from bot.services.lookup import AreaProgress, Standing
from bot.services.readiness import AreaReadiness
from bot.services.text import escape
from frameworks import Behaviour
from frameworks.lookups import AreaView, CellView, FrameworkOverview, LevelView, View
from frameworks.search import SearchHit

MAX_BLOCKS = 45  # of Slack's 50, leaving room for a header and footers
COVERED = "✅"
OPEN = "▫️"
EXAMPLE_MAX = 150  # characters of a behaviour's example shown under it in Slack


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=shorten(text, HEADER_TEXT_MAX))


def text_section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def lines_to_blocks(lines: Iterable[str], budget: int, narrow_hint: str) -> list[Block]:
    """Sections holding the lines; past `budget` blocks, a note says how much was left out and how to narrow."""
    chunks = pack_lines(lines)
    if len(chunks) <= budget:
        return [text_section(chunk) for chunk in chunks if chunk]
    kept = chunks[: budget - 1]
    hidden = sum(chunk.count("\n") + 1 for chunk in chunks[budget - 1 :])
    return [*(text_section(c) for c in kept), context(f"…and {hidden:,} more lines. {narrow_hint}")]


def not_set_up_blocks() -> list[Block]:
    return [
        text_section(
            ":wave: You're not on a ladder yet. Run `/ladder setup` (or open growthbot's *Home* tab) "
            "to pick your ladder, your level and when you'd like your weekly question."
        )
    ]


def _area_line(progress: AreaProgress) -> str:
    step = progress.step
    name = f"*{escape(step.area.name)}*"
    current = escape(step.current_level.name) if step.current_level else "not placed"
    if step.at_top:
        return f"{name}: {current} — top of the ladder :tada:"
    assert step.next_level is not None
    line = f"{name}: {current} → *{escape(step.next_level.name)}*"
    if step.cell_empty:
        return line + " (the ladder lists nothing for you there)"
    return line + f"  `{progress_bar(progress.covered, progress.total)}`"


def removed_levels_blocks(standing: Standing) -> list[Block]:
    """A warning when the person is placed on levels their ladder no longer has (nothing otherwise)."""
    note = standing.removed_note
    return [] if note is None else [SectionBlock(text=MarkdownTextObject(text=f":warning: {escape(note)}"))]


def me_blocks(standing: Standing, readiness: Sequence[AreaReadiness] = ()) -> list[Block]:
    framework = standing.framework
    track = f" · track {escape(framework.track(standing.track).name)}" if standing.track else ""
    summary = f"*{escape(framework.name)}* · {escape(standing.level_label)}{track}"
    if standing.milestone.at_top_everywhere:
        overall = "You're at the top of every area of this ladder."
    else:
        overall = f"Next milestone: `{progress_bar(standing.covered, standing.total)}` behaviours with evidence so far."
    warning = removed_levels_blocks(standing)
    judged = [] if all(a.at_top for a in readiness) else ["", "*Readiness for your next level*", *area_lines(readiness)]
    return [
        header("Where you are"),
        text_section(f"{summary}\n{overall}"),
        *warning,
        *lines_to_blocks(
            [*(_area_line(p) for p in standing.areas), *judged],
            MAX_BLOCKS - 3 - len(warning),
            "Use `/ladder next AREA`.",
        ),
        context("`/ladder next [area]` lists the behaviours of your next milestone."),
    ]


def _behaviour_line(behaviour: Behaviour, covered: bool | None = None) -> str:
    """One behaviour, with the ladder's first example of it (if it gives any) beneath, shortened."""
    mark = "•" if covered is None else (COVERED if covered else OPEN)
    qualifier = f" _({escape(behaviour.qualifier)})_" if behaviour.qualifier else ""
    example = f"\n      _e.g. {escape(shorten(behaviour.examples[0], EXAMPLE_MAX))}_" if behaviour.examples else ""
    return f"{mark} {escape(behaviour.text)}{qualifier}{example}"


def next_blocks(standing: Standing, areas: Sequence[AreaProgress]) -> list[Block]:
    lines: list[str] = []
    for progress in areas:
        lines.append(_area_line(progress))
        step = progress.step
        if step.summary and not step.at_top:
            lines.append(f"_{escape(step.summary)}_")
        lines.extend(_behaviour_line(b, progress.is_covered(b.id)) for b in step.behaviours)
        lines.append("")
    return [
        header(f"Your next milestone — {standing.framework.name}"),
        *lines_to_blocks(lines, MAX_BLOCKS - 2, "Name one area: `/ladder next AREA`."),
        context(f"{COVERED} has evidence · {OPEN} not yet. Log evidence from growthbot's Home tab."),
    ]


def _cell_lines(cell: CellView, title: str) -> list[str]:
    lines = [title]
    if cell.summary:
        lines.append(f"_{escape(cell.summary)}_")
    if cell.not_applicable:
        lines.append("Not applicable at this level.")
    elif cell.is_empty:
        lines.append("Nothing listed here.")
    lines.extend(_behaviour_line(b) for b in cell.behaviours)
    return lines


def show_blocks(view: View) -> list[Block]:
    framework = view.framework
    hint = f"Narrow it: `/ladder show {escape(framework.id)} AREA LEVEL`."
    if isinstance(view, FrameworkOverview):
        return _overview_blocks(view, hint)
    lines: list[str] = []
    if isinstance(view, AreaView):
        title = f"{framework.name} — {view.area.name}"
        if view.area.description:
            lines.append(f"_{escape(view.area.description)}_")
        for cell in view.cells:
            lines += [*_cell_lines(cell, f"*{escape(cell.level.name)}*"), ""]
    elif isinstance(view, LevelView):
        title = f"{framework.name} — {view.level.name}"
        for cell in view.cells:
            lines += [*_cell_lines(cell, f"*{escape(cell.area.name)}*"), ""]
    else:
        title = f"{framework.name} — {view.area.name} — {view.level.name}"
        lines = _cell_lines(view, f"*{escape(view.area.name)}* at *{escape(view.level.name)}*")
    return [header(title), *lines_to_blocks(lines, MAX_BLOCKS - 1, hint)]


def _overview_blocks(view: FrameworkOverview, hint: str) -> list[Block]:
    framework = view.framework
    lines: list[str] = []
    if framework.description:
        lines.append(escape(framework.description))
    if not framework.is_complete:
        note = f": {escape(framework.status_note)}" if framework.status_note else ""
        lines.append(f":construction: This ladder is incomplete{note}")
    if framework.source:
        lines.append(f"_Credit: {escape(framework.source)}_")
    lines.append("*Levels:* " + ", ".join(escape(level.name) for level in framework.levels))
    for section in view.sections:
        if section.group is not None:
            lines.append(f"\n*{escape(section.group.name)}*")
        elif len(view.sections) > 1:
            lines.append("\n*Other areas*")
        for area in section.areas:
            described = f" — {escape(area.description)}" if area.description else ""
            lines.append(f"• *{escape(area.name)}*{described}")
    return [
        header(framework.name),
        *lines_to_blocks(lines, MAX_BLOCKS - 2, hint),
        context(f"`{escape(framework.id)}` · {framework.behaviour_count} behaviours. {hint}"),
    ]


def _where(hit: SearchHit) -> str:
    return f"{escape(hit.framework.name)} › {escape(hit.area.name)} › {escape(hit.level.name)}"


def search_blocks(query: str, hits: Sequence[SearchHit]) -> list[Block]:
    shown = escape(shorten(query, 80))
    if not hits:
        return [text_section(f"No behaviour matches “{shown}”. Try fewer or different words.")]
    lines = [f"• {escape(hit.behaviour.text)}\n      _{_where(hit)}_" for hit in hits]
    return [
        text_section(f"Behaviours matching “{shown}”:"),
        *lines_to_blocks(lines, MAX_BLOCKS - 2, "Try more specific words."),
        context("See a whole cell with `/ladder show FRAMEWORK AREA LEVEL`."),
    ]
