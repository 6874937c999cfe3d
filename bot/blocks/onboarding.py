"""The setup modal ("Set up growthbot") and the parser for what it submits.

One modal, rebuilt with views.update when the ladder select changes (the select dispatches an action),
so the level choices always belong to the chosen ladder. Areas get one optional select each, up to
`MAX_AREA_SELECTS`; ladders with more areas get one "area = level" text box instead, which keeps the
modal within Slack's 100 blocks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.common import OPTION_TEXT_MAX, shorten, weekday_options
from bot.ids import Callback, OnboardingAction, OnboardingBlock, area_block_id, area_from_block_id
from bot.services.onboarding import FieldError, Prefill, SetupForm, uses_area_selects
from bot.services.slots import time_or_none, weekday_from_number
from bot.services.text import escape
from frameworks import Framework, Library

SAME_AS_OVERALL = "__same__"
NO_TRACK = "__none__"
MAX_SELECT_OPTIONS = 100  # facts: static_select <= 100 options


@dataclass(frozen=True, slots=True)
class ModalState:
    """What the modal carries in private_metadata: which ladder its level inputs were built for."""

    framework_id: str | None

    def dump(self) -> str:
        return json.dumps({"fw": self.framework_id})

    @classmethod
    def load(cls, raw: str | None) -> ModalState:
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            data = {}
        framework_id = data.get("fw") if isinstance(data, dict) else None
        return cls(framework_id if isinstance(framework_id, str) else None)


def _option(value: str, label: str) -> Option:
    return Option(value=value, text=shorten(label, OPTION_TEXT_MAX))


def _level_options(framework: Framework) -> list[Option]:
    return [_option(level.id, level.name) for level in framework.levels[:MAX_SELECT_OPTIONS]]


def setup_modal(library: Library, prefill: Prefill, framework_id: str | None = None) -> View:
    """The modal for `framework_id` (default: the prefilled ladder), starting from `prefill`'s values."""
    framework = library.get(framework_id or prefill.framework_id or "")
    if framework is None and library:
        framework = library.frameworks[0]
    same_ladder = framework is not None and framework.id == prefill.framework_id
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text="Pick your career ladder and where you are on it. Once a week growthbot will ask what you "
                "did towards your next level, and keep your answers as evidence."
            )
        ),
        _framework_input(library, framework),
    ]
    if framework is not None:
        blocks += _level_inputs(framework, prefill if same_ladder else None)
    blocks += _schedule_inputs(prefill)
    blocks.append(
        InputBlock(
            block_id=OnboardingBlock.MANAGER,
            label="Your manager",
            optional=True,
            hint="They'll be asked to see your evidence before your 1:1s only once you agree.",
            element=UserSelectElement(
                action_id=OnboardingAction.MANAGER,
                placeholder="Pick a person",
                initial_user=prefill.manager_user_id,
            ),
        )
    )
    return View(
        type="modal",
        callback_id=Callback.ONBOARDING,
        title="Set up growthbot" if prefill.is_new else "Edit your setup",
        submit="Save",
        close="Cancel",
        private_metadata=ModalState(framework.id if framework else None).dump(),
        blocks=blocks,
    )


def _framework_input(library: Library, framework: Framework | None) -> InputBlock:
    options = [_option(f.id, f.name) for f in library.frameworks[:MAX_SELECT_OPTIONS]]
    chosen = next((o for o in options if framework and o.value == framework.id), None)
    return InputBlock(
        block_id=OnboardingBlock.FRAMEWORK,
        label="Career ladder",
        dispatch_action=True,  # changing it rebuilds the level choices below
        element=StaticSelectElement(
            action_id=OnboardingAction.FRAMEWORK,
            placeholder="Pick a ladder",
            options=options,
            initial_option=chosen,
        ),
    )


def _level_inputs(framework: Framework, prefill: Prefill | None) -> list[Block]:
    levels = _level_options(framework)
    by_id = {o.value: o for o in levels}
    blocks: list[Block] = []
    if framework.tracks:
        # A select cannot be cleared once picked, so "no track" is an option of its own.
        tracks = [_option(NO_TRACK, "No track")]
        tracks += [_option(t.id, t.name) for t in framework.tracks[: MAX_SELECT_OPTIONS - 1]]
        initial = next((o for o in tracks if prefill and o.value == prefill.track), None)
        blocks.append(
            InputBlock(
                block_id=OnboardingBlock.TRACK,
                label="Track",
                optional=True,
                hint="Only if you are on one of this ladder's tracks.",
                element=StaticSelectElement(
                    action_id=OnboardingAction.TRACK, placeholder="No track", options=tracks, initial_option=initial
                ),
            )
        )
    level_id = prefill.level_id if prefill and prefill.level_id in by_id else None
    blocks.append(
        InputBlock(
            block_id=OnboardingBlock.LEVEL,
            label="Your current level",
            hint="For every area; set a different level for some areas below if you need to.",
            element=StaticSelectElement(
                action_id=OnboardingAction.LEVEL,
                placeholder="Pick a level",
                options=levels,
                initial_option=by_id.get(level_id) if level_id else levels[0] if levels else None,
            ),
        )
    )
    overrides = prefill.overrides if prefill else {}
    if uses_area_selects(framework):
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="*Different level in some areas?* (optional)")]))
        same = _option(SAME_AS_OVERALL, "Same as my level")
        for area in framework.areas:
            chosen = by_id.get(overrides.get(area.id, ""))
            blocks.append(
                InputBlock(
                    block_id=area_block_id(area.id),
                    label=shorten(area.name, 150),
                    optional=True,
                    element=StaticSelectElement(
                        action_id=OnboardingAction.AREA_LEVEL,
                        placeholder="Same as my level",
                        options=[same, *levels[: MAX_SELECT_OPTIONS - 1]],
                        initial_option=chosen,
                    ),
                )
            )
    else:
        lines = "\n".join(f"{area.id} = {level}" for area, level in _override_pairs(framework, overrides))
        area_ids = ", ".join(area.id for area in framework.areas)
        level_ids = ", ".join(level.id for level in framework.levels)
        blocks.append(
            InputBlock(
                block_id=OnboardingBlock.OVERRIDES_TEXT,
                label="Different level in some areas? (optional)",
                optional=True,
                hint=shorten(f"One per line, like “area = level”. Areas: {area_ids}. Levels: {level_ids}.", 2000),
                element=PlainTextInputElement(
                    action_id=OnboardingAction.OVERRIDES_TEXT,
                    multiline=True,
                    max_length=3000,
                    initial_value=lines or None,
                    placeholder="e.g. delivery = 3",
                ),
            )
        )
    return blocks


def _override_pairs(framework: Framework, overrides: Mapping[str, str]) -> list[tuple[Any, str]]:
    return [(area, overrides[area.id]) for area in framework.areas if area.id in overrides]


def _schedule_inputs(prefill: Prefill) -> list[Block]:
    days = weekday_options()
    zone = f"your Slack time zone ({escape(prefill.tz)})" if prefill.tz else "your Slack time zone"
    return [
        DividerBlock(),
        InputBlock(
            block_id=OnboardingBlock.WEEKDAY,
            label="Weekly question on",
            element=StaticSelectElement(
                action_id=OnboardingAction.WEEKDAY, options=days, initial_option=days[prefill.weekday]
            ),
        ),
        InputBlock(
            block_id=OnboardingBlock.TIME,
            label="At",
            element=TimePickerElement(action_id=OnboardingAction.TIME, initial_time=f"{prefill.local_time:%H:%M}"),
        ),
        ContextBlock(elements=[MarkdownTextObject(text=f"Times are in {zone}.")]),
    ]


# ---------------------------------------------------------------------------------------------------
# Reading a submission


def _selected(values: Mapping[str, Any], block_id: str, action_id: str) -> str | None:
    element = (values.get(block_id) or {}).get(action_id) or {}
    option = element.get("selected_option") or {}
    return option.get("value") or None


def parse_setup_state(view: Mapping[str, Any]) -> SetupForm:
    """The submitted modal's `state.values` as a `SetupForm`; missing or odd values become None."""
    values: Mapping[str, Any] = (view.get("state") or {}).get("values") or {}
    area_levels = {}
    for block_id in values:
        area_id = area_from_block_id(block_id)
        if area_id is None:
            continue
        level = _selected(values, block_id, OnboardingAction.AREA_LEVEL)
        if level and level != SAME_AS_OVERALL:
            area_levels[area_id] = level
    track = _selected(values, OnboardingBlock.TRACK, OnboardingAction.TRACK)
    weekday_text = _selected(values, OnboardingBlock.WEEKDAY, OnboardingAction.WEEKDAY)
    picked_time = ((values.get(OnboardingBlock.TIME) or {}).get(OnboardingAction.TIME) or {}).get("selected_time")
    manager = ((values.get(OnboardingBlock.MANAGER) or {}).get(OnboardingAction.MANAGER) or {}).get("selected_user")
    overrides = ((values.get(OnboardingBlock.OVERRIDES_TEXT) or {}).get(OnboardingAction.OVERRIDES_TEXT) or {}).get(
        "value"
    )
    return SetupForm(
        framework_id=_selected(values, OnboardingBlock.FRAMEWORK, OnboardingAction.FRAMEWORK),
        level_id=_selected(values, OnboardingBlock.LEVEL, OnboardingAction.LEVEL),
        track=track if track != NO_TRACK else None,
        area_levels=area_levels,
        overrides_text=overrides or None,
        weekday=weekday_from_number(weekday_text),
        local_time=time_or_none(picked_time),
        manager_user_id=manager or None,
    )


_FIELD_BLOCKS = {
    "framework": OnboardingBlock.FRAMEWORK,
    "level": OnboardingBlock.LEVEL,
    "track": OnboardingBlock.TRACK,
    "overrides": OnboardingBlock.OVERRIDES_TEXT,
    "weekday": OnboardingBlock.WEEKDAY,
    "time": OnboardingBlock.TIME,
    "manager": OnboardingBlock.MANAGER,
}


def errors_for_slack(errors: list[FieldError]) -> dict[str, str]:
    """block_id -> message, for `ack(response_action="errors", errors=...)`."""
    found: dict[str, str] = {}
    for error in errors:
        if error.field.startswith("area:"):
            block_id = area_block_id(error.field.removeprefix("area:"))
        else:
            block_id = _FIELD_BLOCKS[error.field]
        found.setdefault(str(block_id), error.message)
    return found
