"""Readiness for the next level as lines of mrkdwn: the engineer's full view and a report's compact row.

One rendering everywhere (Home, `/ladder me`, `/ladder team`, the promotion modal): the bar is
`bot.blocks.common.progress_bar` over the behaviours the manager judges "consistently", against what the
ladder's bar needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bot.blocks.common import progress_bar
from bot.services.assessments import VERDICT_LABELS, VERDICT_ORDER
from bot.services.readiness import AreaReadiness
from bot.services.readiness_reads import ReportReadiness
from bot.services.text import escape
from storage.models import Verdict

COMPACT_WIDTH = 5
READY = ":white_check_mark:"


def headline(area: AreaReadiness) -> str:
    """ "Ready for Level 3 in Delivery" (bold when ready), escaped."""
    text = escape(area.headline)
    return f"{READY} *{text}*" if area.ready else text


def counts_text(counts: Mapping[Verdict, int]) -> str:
    shown = [f"{counts[v]} {VERDICT_LABELS[v].lower()}" for v in reversed(VERDICT_ORDER) if counts.get(v)]
    return ", ".join(shown) or "none yet"


def area_lines(areas: Iterable[AreaReadiness], self_label: str = "you") -> list[str]:
    """Per area: the bar and headline, then self vs manager verdict counts."""
    lines = []
    for area in areas:
        if area.at_top or area.total == 0:
            lines.append(headline(area))
            continue
        bar = progress_bar(area.consistently, area.total)
        lines.append(f"`{bar}` {headline(area)}")
        lines.append(
            f"      {self_label}: {counts_text(area.self_counts)} · manager: {counts_text(area.manager_counts)}"
        )
    return lines


def compact(areas: Iterable[AreaReadiness]) -> str:
    """A report's areas on one line: `Delivery ▰▰▰▱▱ 2/3` each, ready ones marked."""
    parts = []
    for area in areas:
        if area.at_top or area.total == 0:
            continue
        mark = f" {READY}" if area.ready else ""
        parts.append(f"{escape(area.area_name)} `{progress_bar(area.consistently, area.total, COMPACT_WIDTH)}`{mark}")
    return " · ".join(parts) or "nothing left to judge"


def report_summary(report: ReportReadiness) -> str:
    """A report's readiness bars per area, then an open check-in and the disagreements, if any."""
    extras = [":hourglass_flowing_sand: check-in open"] if report.open_checkin else []
    if report.disagreements:
        extras.append(f"{report.disagreements} disagreement{'s' if report.disagreements != 1 else ''}")
    return " · ".join([compact(report.areas), *extras])
