"""The 1:1 modal opened from the App Home, and the parser for what it submits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.blocks.common import OPTION_TEXT_MAX, shorten, weekday_options
from bot.ids import Callback, OneOnOneAction, OneOnOneBlock
from bot.services.slots import time_or_none, weekday_from_number
from storage.models import Cadence

MAX_REPORT_OPTIONS = 100  # facts: static_select <= 100 options


@dataclass(frozen=True, slots=True)
class OneOnOneForm:
    report_slack_id: str | None  # came back from Slack: the listener re-checks the manager link
    weekday: int | None
    local_time: time | None
    cadence: Cadence


def lead_label(minutes: int) -> str:
    """How long before a 1:1 its digest arrives, in words: "2 hours", "1 hour", "45 minutes"."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" + ("" if hours == 1 else "s")
    return f"{minutes} minutes"


def one_on_one_modal(reports: list[tuple[str, str]], existing: list[str], tz: str, lead_minutes: int) -> View:
    """reports: (slack id, name) of the manager's consenting reports; existing: lines describing current
    1:1s; lead_minutes: how long before a new 1:1 its digest arrives (GROWTHBOT_DIGEST_LEAD_MINUTES)."""
    if not reports:
        return View(
            type="modal",
            callback_id=Callback.ONE_ON_ONE,
            title=PlainTextObject(text="1:1s"),
            close=PlainTextObject(text="Close"),
            blocks=[
                SectionBlock(
                    text=MarkdownTextObject(
                        text="You have no reports who accepted you as their manager yet. "
                        "Ask with `/ladder team add @person`; once they accept, set up your 1:1s here."
                    )
                )
            ],
        )
    options = [
        Option(text=shorten(name, OPTION_TEXT_MAX), value=slack_id) for slack_id, name in reports[:MAX_REPORT_OPTIONS]
    ]
    blocks: list[Any] = [
        InputBlock(
            block_id=OneOnOneBlock.REPORT,
            label="With",
            element=StaticSelectElement(action_id=OneOnOneAction.REPORT, options=options, placeholder="A report"),
        ),
        InputBlock(
            block_id=OneOnOneBlock.WEEKDAY,
            label="Day",
            element=StaticSelectElement(
                action_id=OneOnOneAction.WEEKDAY,
                options=weekday_options(),
                placeholder="Weekday",
            ),
        ),
        InputBlock(
            block_id=OneOnOneBlock.TIME,
            label=f"Time ({tz})",
            element=TimePickerElement(action_id=OneOnOneAction.TIME, initial_time="10:00"),
        ),
        InputBlock(
            block_id=OneOnOneBlock.CADENCE,
            label="How often",
            element=StaticSelectElement(
                action_id=OneOnOneAction.CADENCE,
                options=[
                    Option(text="Every week", value="weekly"),
                    Option(text="Every other week", value="fortnightly"),
                ],
                initial_option=Option(text="Every week", value="weekly"),
            ),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=f"Their digest arrives in your DMs {lead_label(lead_minutes)} before each 1:1.")
            ]
        ),
    ]
    if existing:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="*Your 1:1s now*\n" + "\n".join(existing))))
    return View(
        type="modal",
        callback_id=Callback.ONE_ON_ONE,
        title=PlainTextObject(text="Schedule a 1:1"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks,
    )


def parse_one_on_one(view: dict[str, Any]) -> OneOnOneForm:
    values = (view.get("state") or {}).get("values") or {}

    def selected(block: str, action: str) -> str | None:
        option = ((values.get(block) or {}).get(action) or {}).get("selected_option") or {}
        return option.get("value")

    weekday = selected(OneOnOneBlock.WEEKDAY, OneOnOneAction.WEEKDAY)
    raw_time = ((values.get(OneOnOneBlock.TIME) or {}).get(OneOnOneAction.TIME) or {}).get("selected_time")
    cadence = selected(OneOnOneBlock.CADENCE, OneOnOneAction.CADENCE)
    return OneOnOneForm(
        report_slack_id=selected(OneOnOneBlock.REPORT, OneOnOneAction.REPORT),
        weekday=weekday_from_number(weekday),
        local_time=time_or_none(raw_time if isinstance(raw_time, str) else None),
        cadence=Cadence.FORTNIGHTLY if cadence == "fortnightly" else Cadence.WEEKLY,
    )
