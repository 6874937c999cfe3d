"""Is someone away? Their Slack status, and an optional file of quiet days (e.g. public holidays).

Quiet days file (GROWTHBOT_QUIET_DAYS_FILE), either a plain list of ISO dates, one per line
(`#` starts a comment), or YAML: a list of dates, a mapping of date to name, or `{quiet_days: [...]}`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import yaml

AWAY_EMOJI = frozenset({":palm_tree:", ":desert_island:", ":beach_with_umbrella:"})
_AWAY_TEXT = re.compile(
    r"\b(vacation|vacationing|holidays?|out\s+of\s+(the\s+)?office|ooo|pto|on\s+leave|annual\s+leave|"
    r"parental\s+leave|sabbatical)\b",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# How a prompt skipped because its person was away says so (Prompt.skip_reason): written by the tick
# (prompt_records: Slack status; planning: a quiet day), read by the digest (`is_away_skip`).
AWAY_SKIP_PREFIX = "away: "
QUIET_DAY_SKIP_PREFIX = "quiet day "
AWAY_SKIP_PREFIXES = (AWAY_SKIP_PREFIX, QUIET_DAY_SKIP_PREFIX)


def away_skip_reason(status: str) -> str:
    return f"{AWAY_SKIP_PREFIX}{status}"[:200]


def quiet_day_skip_reason(day: date) -> str:
    return f"{QUIET_DAY_SKIP_PREFIX}{day.isoformat()}"


def is_away_skip(reason: str | None) -> bool:
    """Whether a prompt's skip reason says its person was away (status or quiet day)."""
    return bool(reason) and reason.startswith(AWAY_SKIP_PREFIXES)  # type: ignore[union-attr]


class QuietDaysError(ValueError):
    """The quiet days file cannot be read; the message names the file and line."""


def is_away(
    status_emoji: str | None,
    status_text: str | None,
    status_expiration: int | None = None,
    *,
    now_epoch: float | None = None,
) -> bool:
    """Whether a Slack status says the person is away (e.g. :palm_tree:, "Vacation", "OOO until Monday").

    A status whose expiration (epoch seconds, 0 = never) has passed does not count.
    """
    if status_expiration and now_epoch is not None and status_expiration <= now_epoch:
        return False
    if status_emoji and status_emoji.strip().lower() in AWAY_EMOJI:
        return True
    return bool(status_text and _AWAY_TEXT.search(status_text))


def away_in_profile(profile: Mapping[str, Any] | None, now_epoch: float | None = None) -> bool:
    """`is_away` for a `users.info` user's `profile` object."""
    if not profile:
        return False
    return is_away(
        profile.get("status_emoji"),
        profile.get("status_text"),
        profile.get("status_expiration"),
        now_epoch=now_epoch,
    )


def parse_quiet_days(text: str, source: str = "quiet days") -> frozenset[date]:
    """The dates in `text`; QuietDaysError names `source` and, where it can, the bad line."""
    lines = [(number, line.split("#", 1)[0].strip()) for number, line in enumerate(text.splitlines(), start=1)]
    content = [(number, line) for number, line in lines if line]
    if all(_ISO_DATE.match(line) for _, line in content):
        return frozenset(_parse_date(line, f"{source}:{number}") for number, line in content)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise QuietDaysError(f"{where}: not a list of dates nor valid YAML ({problem})") from None
    except ValueError as error:  # YAML's own date parsing, e.g. 2024-13-40
        bad = _first_impossible_date(text)
        where = _where(source, text, bad) if bad else source
        raise QuietDaysError(f"{where}: {bad or 'a date'!r} is not a valid date: {error}") from None
    if isinstance(data, Mapping) and "quiet_days" in data:
        data = data["quiet_days"]
    if isinstance(data, Mapping):
        data = list(data.keys())
    if data is None:
        return frozenset()
    if isinstance(data, str):
        # Plain lines, some of them not dates: YAML read them as one string.
        number, line = next((n, line) for n, line in content if not _ISO_DATE.match(line))
        raise QuietDaysError(f"{source}:{number}: {line!r} is not a date in YYYY-MM-DD form")
    if not isinstance(data, list):
        raise QuietDaysError(f"{source}: expected a list of ISO dates (YYYY-MM-DD), got {type(data).__name__}")
    return frozenset(_parse_date(item, _where(source, text, str(item))) for item in data)


def _where(source: str, text: str, needle: str) -> str:
    """`source:line` of the line holding the list item or key `needle`, else `source`."""
    lines = [line.split("#", 1)[0] for line in text.splitlines()]
    for number, line in enumerate(lines, start=1):
        item = line.strip().removeprefix("-").strip().split(":", 1)[0].strip().strip("'\"")
        if item == needle:
            return f"{source}:{number}"
    for number, line in enumerate(lines, start=1):
        if needle in line:
            return f"{source}:{number}"
    return source


def _first_impossible_date(text: str) -> str | None:
    for candidate in re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text):
        try:
            date.fromisoformat(candidate)
        except ValueError:
            return candidate
    return None


def _parse_date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise QuietDaysError(f"{where}: {value!r} is not a date in YYYY-MM-DD form")


def load_quiet_days(path: Path | None) -> frozenset[date]:
    """The quiet days in `path`; none when no file is configured."""
    if path is None:
        return frozenset()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise QuietDaysError(f"cannot read quiet days file {path}: {error.strerror or error}") from None
    return parse_quiet_days(text, str(path))
