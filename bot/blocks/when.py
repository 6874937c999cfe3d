"""How a moment reads to the person it is for, in their time zone.

Whose time zone: the reader's. A date or time is shown in the zone of the person reading the message
or view (the manager for their digest, the engineer for their preview, Home and packet), so one reader
sees the same day for a piece of evidence on every surface. In mrkdwn, `slack_date` is Slack's date
token, which Slack itself shows in the reader's zone; its fallback text (what notifications, the
demo's transcript and clients without the token show) is the same local date, from `date_text`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services import last_evidence, timing


def when_label(moment: datetime | None, tz: str | None) -> str | None:
    """`Tuesday 9 January at 10:00` in the person's time zone."""
    if moment is None:
        return None
    local = timing.to_local(moment, tz)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def day_label(moment: datetime | None, tz: str | None) -> str | None:
    if moment is None:
        return None
    local = timing.to_local(moment, tz)
    return f"{local:%A} {local.day} {local:%B}"


def moment_text(moment: datetime, tz: str | None) -> str:
    """`9 Jan 2024, 10:00`: a naive UTC moment as the reader's local date and time, as plain text."""
    local = timing.to_local(_naive_utc(moment), tz)
    return f"{local.day} {local:%b %Y}, {local:%H:%M}"


def date_text(moment: datetime, tz: str | None) -> str:
    """`9 Jan 2024`: the reader's local date of a naive UTC moment, as plain text."""
    local = timing.to_local(_naive_utc(moment), tz)
    return f"{local.day} {local:%b %Y}"


def slack_date(moment: datetime, tz: str | None = None) -> str:
    """A date for mrkdwn: Slack shows it in the reader's zone; the fallback is `date_text` in `tz`."""
    utc = _naive_utc(moment)
    epoch = int(utc.replace(tzinfo=UTC).timestamp())
    return f"<!date^{epoch}^{{date_short}}|{date_text(utc, tz)}>"


def last_evidence_text(moment: datetime | None, tz: str | None) -> str:
    """`last evidence <date>` (bot.services.last_evidence, the one "last answer"), or `no evidence yet`."""
    if moment is None:
        return last_evidence.NONE_YET
    return f"{last_evidence.LABEL} {slack_date(moment, tz)}"


def _naive_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
