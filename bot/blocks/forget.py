"""The `/ladder forget` confirmation modal and what it shows once the data is gone."""

from __future__ import annotations

from slack_sdk.models.blocks import MarkdownTextObject, PlainTextObject, SectionBlock
from slack_sdk.models.views import View

from bot.ids import Callback

WHAT_GOES = (
    "This deletes *everything growthbot holds about you*: all your evidence, the verdicts on your "
    "behaviours and your check-ins, your prompts and prompt schedule, your ladder placement and the "
    "digests of your 1:1s. Your manager links and 1:1s end, "
    "on both sides. It cannot be undone.\n\n"
    "Only a record that a deletion happened (with counts, never content) is kept in the audit log.\n\n"
    "Want a copy first? Close this and run `/ladder export`."
)


def forget_modal() -> View:
    return View(
        type="modal",
        callback_id=Callback.FORGET,
        title=PlainTextObject(text="Forget my data"),
        submit=PlainTextObject(text="Delete everything"),
        close=PlainTextObject(text="Cancel"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=WHAT_GOES))],
    )


def _line(count: int, singular: str, plural: str | None = None) -> str:
    return f"• {count} {singular if count == 1 else (plural or singular + 's')}"


def deletion_lines(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "growthbot held no data about you, so there was nothing to delete."
    return "\n".join(
        [
            "Deleted:",
            _line(counts.get("evidence", 0), "evidence item"),
            _line(counts.get("prompts", 0), "prompt"),
            _line(counts.get("schedules", 0), "prompt schedule"),
            _line(counts.get("placements", 0), "ladder placement"),
            _line(counts.get("digests", 0), "digest"),
            _line(counts.get("assessments", 0), "verdict"),
            _line(counts.get("checkins", 0), "check-in"),
            _line(counts.get("focus", 0), "focus behaviour"),
            "Ended:",
            _line(counts.get("manager_links_ended", 0), "manager link"),
            _line(counts.get("one_on_ones_ended", 0), "1:1"),
        ]
    )


def forget_done_view(counts: dict[str, int] | None) -> View:
    return View(
        type="modal",
        callback_id=Callback.FORGET,
        title=PlainTextObject(text="Forget my data"),
        close=PlainTextObject(text="Done"),
        blocks=[SectionBlock(text=MarkdownTextObject(text=deletion_lines(counts)))],
    )
