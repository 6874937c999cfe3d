"""Evidence modals: add evidence, confirm a saved message (shortcut), change tags; and their parsers.

The behaviours select lists, within Slack's 100 options: the pre-selected and suggested behaviours
first, then the person's next-milestone behaviours by area, then the rest of their ladder, nearest
level first. A big ladder has more than 100 behaviours, so a second, external-data select searches the
whole ladder (served by bot/listeners/options). Submissions read picks from both.
`private_metadata` is a small JSON object (`EvidenceModalMeta`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    ExternalDataMultiSelectElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    SectionBlock,
    StaticMultiSelectElement,
    UrlInputElement,
)
from slack_sdk.models.blocks.basic_components import DispatchActionConfig
from slack_sdk.models.views import View

from bot.blocks.common import OPTION_TEXT_MAX, shorten, split_text
from bot.ids import Callback, EvidenceAction, EvidenceBlock
from bot.services.text import escape
from frameworks import Behaviour, Framework

MAX_OPTIONS = 100  # facts: static selects hold at most 100 options (and an options response too)
MODAL_TEXT_MAX = 3000  # facts: plain_text_input max_length 1..3000
MAX_SUGGESTIONS = 5
PRIVATE_METADATA_MAX = 3000
SUGGESTED_LABEL = "Suggested"


@dataclass(frozen=True, slots=True)
class EvidenceModalMeta:
    """What an evidence modal carries. `token` makes its submission idempotent (a double click, a retry)."""

    token: str
    framework_id: str
    prompt_id: int | None = None
    evidence_id: int | None = None  # the retag modal, and a shortcut item saved before the modal opened
    # The saved-message shortcut: where the message is, who wrote it, and its text when it fits here.
    channel_id: str | None = None
    message_ts: str | None = None
    author_id: str | None = None
    text: str | None = None
    # The retag modal: an ephemeral confirmation to replace (it has no channel/ts we could update).
    response_url: str | None = None

    def dump(self) -> str:
        data = {key: value for key, value in asdict(self).items() if value is not None}
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    def fits(self) -> bool:
        return len(self.dump()) <= PRIVATE_METADATA_MAX

    @classmethod
    def load(cls, raw: str | None) -> EvidenceModalMeta:
        """Parse private_metadata; ValueError when it is not ours (never trust what comes back blindly)."""
        data = json.loads(raw or "")
        if not isinstance(data, dict) or not isinstance(data.get("token"), str) or not data["token"]:
            raise ValueError("evidence modal metadata without a token")
        if not isinstance(data.get("framework_id"), str):
            raise ValueError("evidence modal metadata without a framework")
        fields: dict[str, Any] = {"token": data["token"], "framework_id": data["framework_id"]}
        for key in ("prompt_id", "evidence_id"):
            if isinstance(data.get(key), int) and not isinstance(data.get(key), bool):
                fields[key] = data[key]
        for key in ("channel_id", "message_ts", "author_id", "text", "response_url"):
            if isinstance(data.get(key), str):
                fields[key] = data[key]
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class BehaviourGroup:
    label: str
    behaviours: tuple[Behaviour, ...]


def behaviour_groups(
    framework: Framework,
    *,
    first: Sequence[Behaviour],
    milestone: Sequence[Behaviour],
    levels_by_area: Mapping[str, str],
    track: str | None,
    limit: int = MAX_OPTIONS,
) -> list[BehaviourGroup]:
    """The select's option groups: `first` (pre-selected and suggested), then next-milestone behaviours by
    area, then the rest of the ladder that applies to the person's track, nearest level first; every
    behaviour at most once, at most `limit` in all."""
    seen: set[str] = set()
    budget = limit

    def take(behaviours: Iterable[Behaviour]) -> tuple[Behaviour, ...]:
        nonlocal budget
        taken = []
        for behaviour in behaviours:
            if budget <= 0:
                break
            if behaviour.id in seen:
                continue
            seen.add(behaviour.id)
            taken.append(behaviour)
            budget -= 1
        return tuple(taken)

    groups: list[BehaviourGroup] = []
    suggested = take(first)
    if suggested:
        groups.append(BehaviourGroup(SUGGESTED_LABEL, suggested))
    by_area: dict[str, list[Behaviour]] = {area.id: [] for area in framework.areas}
    for behaviour in take(milestone):
        by_area.setdefault(behaviour.area_id, []).append(behaviour)

    def distance(behaviour: Behaviour) -> tuple[int, int]:
        current = levels_by_area.get(behaviour.area_id)
        here = framework.level_index(behaviour.level_id)
        mine = framework.level_index(current) if current and framework.has_level(current) else -1
        gap = here - mine
        # Next level up first, then the current level, then further up, then further down.
        return (abs(gap - 1), 0 if gap >= 1 else 1)

    rest = sorted(
        (b for b in framework.behaviours if b.applies_to(track) and b.id not in seen),
        key=lambda b: (distance(b), framework.level_index(b.level_id)),
    )
    for behaviour in take(rest):
        by_area.setdefault(behaviour.area_id, []).append(behaviour)
    for area in framework.areas:
        chosen = by_area.get(area.id) or []
        if chosen:
            chosen.sort(key=lambda b: framework.level_index(b.level_id))
            groups.append(BehaviourGroup(area.name, tuple(chosen)))
    return groups


def _option(framework: Framework, behaviour: Behaviour) -> Option:
    area = framework.find_area(behaviour.area_id)
    level = framework.level(behaviour.level_id).name if framework.has_level(behaviour.level_id) else behaviour.level_id
    return Option(
        value=behaviour.id,
        text=shorten(behaviour.text, OPTION_TEXT_MAX),
        description=shorten(f"{area.name if area else behaviour.area_id} · {level}", OPTION_TEXT_MAX),
    )


def behaviours_input(
    framework: Framework, groups: Sequence[BehaviourGroup], preselected: Sequence[Behaviour], *, optional: bool = True
) -> InputBlock:
    """The static select of suggested and nearby behaviours; `preselected` ones it lists start selected."""
    options_by_id: dict[str, Option] = {}
    option_groups = []
    for group in groups:
        options = [_option(framework, behaviour) for behaviour in group.behaviours]
        options_by_id.update({option.value: option for option in options if option.value})
        option_groups.append(OptionGroup(label=shorten(group.label, OPTION_TEXT_MAX), options=options))
    initial = [options_by_id[b.id] for b in preselected if b.id in options_by_id]
    element = StaticMultiSelectElement(
        action_id=EvidenceAction.BEHAVIOURS,
        placeholder="Pick the behaviours this shows",
        option_groups=option_groups or None,
        options=None if option_groups else [],
        initial_options=initial or None,
    )
    return InputBlock(
        block_id=EvidenceBlock.BEHAVIOURS,
        label="Behaviours it shows",
        element=element,
        optional=optional,
        hint="Leave empty and growthbot tags the best match for you." if optional else None,
    )


def search_input(framework: Framework, preselected: Sequence[Behaviour]) -> InputBlock:
    """Any behaviour of the person's ladder, found by typing (an external select: the options listener
    answers each keystroke); `preselected` start selected."""
    return InputBlock(
        block_id=EvidenceBlock.SEARCH,
        label="Other behaviours from your ladder",
        element=ExternalDataMultiSelectElement(
            action_id=EvidenceAction.SEARCH,
            placeholder="Type to search every behaviour",
            min_query_length=0,
            initial_options=[_option(framework, b) for b in preselected] or None,
        ),
        optional=True,
    )


def behaviour_inputs(
    framework: Framework, groups: Sequence[BehaviourGroup], preselected: Sequence[Behaviour]
) -> list[InputBlock]:
    """The suggestions select and the whole-ladder search; each pre-selected behaviour starts selected in
    the suggestions when they list it, otherwise in the search."""
    listed = {b.id for group in groups for b in group.behaviours}
    elsewhere = [b for b in preselected if b.id not in listed]
    return [behaviours_input(framework, groups, preselected), search_input(framework, elsewhere)]


def search_option_groups(framework: Framework, behaviours: Sequence[Behaviour]) -> list[OptionGroup]:
    """An options response: `behaviours` (best first, at most MAX_OPTIONS used) grouped by area, areas in
    the order of their best behaviour. Option text is cut to Slack's 75 characters; the value is the id."""
    by_area: dict[str, list[Behaviour]] = {}
    for behaviour in list(dict.fromkeys(behaviours))[:MAX_OPTIONS]:
        by_area.setdefault(behaviour.area_id, []).append(behaviour)
    groups = []
    for area_id, members in by_area.items():
        area = framework.find_area(area_id)
        label = shorten(area.name if area else area_id, OPTION_TEXT_MAX)
        groups.append(OptionGroup(label=label, options=[_option(framework, b) for b in members]))
    return groups


def evidence_modal(
    framework: Framework,
    groups: Sequence[BehaviourGroup],
    preselected: Sequence[Behaviour],
    meta: EvidenceModalMeta,
    *,
    prompt_behaviour: Behaviour | None = None,
    initial_text: str | None = None,
    note: str | None = None,
) -> View:
    """`initial_text` pre-fills the text (at most MODAL_TEXT_MAX characters); `note` is a line of
    mrkdwn above the form, written by the bot (not escaped here)."""
    blocks: list[Block] = []
    if note:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=shorten(note, 2000))]))
    if prompt_behaviour is not None:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=shorten(f"Prompt: _{escape(prompt_behaviour.text)}_", 2000))]
            )
        )
    blocks += [
        InputBlock(
            block_id=EvidenceBlock.TEXT,
            label="What happened?",
            # Typing re-ranks the "Suggested" behaviours against the text (views.update).
            dispatch_action=True,
            element=PlainTextInputElement(
                action_id=EvidenceAction.TEXT,
                multiline=True,
                max_length=MODAL_TEXT_MAX,
                initial_value=initial_text[:MODAL_TEXT_MAX] if initial_text else None,
                placeholder="A sentence or two is plenty: what you did and what came of it.",
                dispatch_action_config=DispatchActionConfig(trigger_actions_on=["on_character_entered"]),
            ),
        ),
        InputBlock(
            block_id=EvidenceBlock.LINK,
            label="Link (optional)",
            element=UrlInputElement(action_id=EvidenceAction.LINK, placeholder="https://…"),
            optional=True,
        ),
        *behaviour_inputs(framework, groups, preselected),
    ]
    return View(
        type="modal",
        callback_id=Callback.EVIDENCE,
        title="Add evidence",
        submit="Save",
        close="Cancel",
        private_metadata=meta.dump(),
        blocks=blocks,
    )


def _quote(text: str) -> list[Block]:
    quoted = "\n".join(f">{line}" for line in escape(text).splitlines() or [""])
    return [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in split_text(quoted, 2900)]


def save_message_modal(
    framework: Framework,
    groups: Sequence[BehaviourGroup],
    preselected: Sequence[Behaviour],
    meta: EvidenceModalMeta,
    *,
    text: str,
    author_id: str | None,
) -> View:
    """The shortcut's confirm-and-tag modal: the message as it will be saved, and its behaviours."""
    who = f"<@{author_id}>" if author_id else "someone"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"Save this message by {who} as your growth evidence?")),
        *_quote(text)[:90],
        *behaviour_inputs(framework, groups, preselected),
    ]
    return View(
        type="modal",
        callback_id=Callback.SAVE_AS_EVIDENCE_CONFIRM,
        title="Save as evidence",
        submit="Save",
        close="Cancel",
        private_metadata=meta.dump(),
        blocks=blocks,
    )


def retag_modal(
    framework: Framework,
    groups: Sequence[BehaviourGroup],
    preselected: Sequence[Behaviour],
    meta: EvidenceModalMeta,
    *,
    text: str,
) -> View:
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text="Which behaviours does this evidence show?")),
        *_quote(text)[:90],
        # Both optional: the submission asks for at least one pick from either.
        *behaviour_inputs(framework, groups, preselected),
    ]
    return View(
        type="modal",
        callback_id=Callback.RETAG,
        title="Change tags",
        submit="Save",
        close="Cancel",
        private_metadata=meta.dump(),
        blocks=blocks,
    )


@dataclass(frozen=True, slots=True)
class EvidenceInput:
    text: str
    link: str | None
    behaviour_ids: tuple[str, ...]


def _value(values: Mapping[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    block = values.get(block_id) or {}
    element = block.get(action_id) if isinstance(block, Mapping) else None
    return element if isinstance(element, dict) else {}


def parse_behaviour_ids(values: Mapping[str, Any]) -> tuple[str, ...]:
    """Picks from the suggestions select, then from the whole-ladder search, each id once."""
    ids = []
    for block_id, action_id in (
        (EvidenceBlock.BEHAVIOURS, EvidenceAction.BEHAVIOURS),
        (EvidenceBlock.SEARCH, EvidenceAction.SEARCH),
    ):
        selected = _value(values, block_id, action_id).get("selected_options") or []
        ids += [option.get("value") for option in selected if isinstance(option, dict)]
    return tuple(dict.fromkeys(value for value in ids if isinstance(value, str) and value))


def parse_evidence_submission(values: Mapping[str, Any]) -> EvidenceInput:
    """`view.state.values` of the evidence modal -> what the person entered (text exactly as typed)."""
    text = _value(values, EvidenceBlock.TEXT, EvidenceAction.TEXT).get("value")
    link = _value(values, EvidenceBlock.LINK, EvidenceAction.LINK).get("value")
    return EvidenceInput(
        text=text if isinstance(text, str) else "",
        link=link.strip() if isinstance(link, str) and link.strip() else None,
        behaviour_ids=parse_behaviour_ids(values),
    )
