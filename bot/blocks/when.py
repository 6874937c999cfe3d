"""How a moment reads to the person it is for, in their time zone."""

from __future__ import annotations

from datetime import datetime

from bot.services import timing


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
