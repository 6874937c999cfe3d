"""Fill in a modal the way a person would, producing the `view.state.values` Slack sends on submit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Json = Mapping[str, Any]


class FormError(LookupError):
    """The modal has no such field or option: the scenario and the bot's modal are out of step."""


def options_of(element: Json) -> list[Json]:
    """Every option of a select, its groups' included."""
    found = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        found += group.get("options") or []
    return found


def option_for(element: Json, value: str) -> dict[str, Any]:
    for option in options_of(element):
        if option.get("value") == value:
            return dict(option)
    labels = ", ".join(repr(option.get("value")) for option in options_of(element))
    raise FormError(f"no option {value!r} in {element.get('action_id')!r} (options: {labels})")


def submit_button(view: Json) -> str:
    """The modal's submit button as the person sees it: `[ Save ]`."""
    return f"[ {(view.get('submit') or {}).get('text', 'Submit')} ]"


def _state(element: Json, answer: object) -> dict[str, Any]:
    kind = element.get("type")
    state: dict[str, Any] = {"type": kind}
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        state["value"] = answer if answer is not None else element.get("initial_value")
    elif kind in ("static_select", "radio_buttons", "external_select"):
        if answer is None:
            state["selected_option"] = element.get("initial_option")
        else:
            state["selected_option"] = option_for(element, str(answer))
    elif kind == "multi_external_select" and answer is not None:
        # The options came from the app's options listener as the person typed: Slack sends back each
        # picked option; the app reads only its value.
        values = [answer] if isinstance(answer, str) else list(answer)  # type: ignore[call-overload]
        state["selected_options"] = [{"text": {"type": "plain_text", "text": str(v)}, "value": str(v)} for v in values]
    elif kind in ("multi_static_select", "checkboxes", "multi_external_select"):
        if answer is None:
            state["selected_options"] = list(element.get("initial_options") or [])
        else:
            values = [answer] if isinstance(answer, str) else list(answer)  # type: ignore[call-overload]
            state["selected_options"] = [option_for(element, str(value)) for value in values]
    elif kind == "users_select":
        state["selected_user"] = answer if answer is not None else element.get("initial_user")
    elif kind == "multi_users_select":
        state["selected_users"] = list(answer if answer is not None else element.get("initial_users") or [])  # type: ignore[call-overload]
    elif kind == "conversations_select":
        state["selected_conversation"] = answer if answer is not None else element.get("initial_conversation")
    elif kind == "channels_select":
        state["selected_channel"] = answer if answer is not None else element.get("initial_channel")
    elif kind == "timepicker":
        state["selected_time"] = answer if answer is not None else element.get("initial_time")
    elif kind == "datepicker":
        state["selected_date"] = answer if answer is not None else element.get("initial_date")
    else:
        state["value"] = answer
    return state


def input_blocks(view: Json) -> Iterable[tuple[str, Json]]:
    """(block_id, element) for every input block of the view, in order."""
    for block in view.get("blocks") or []:
        if block.get("type") == "input" and block.get("element"):
            yield str(block.get("block_id", "")), block["element"]


def fill(view: Json, answers: Mapping[str, object] | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """`state.values` for `view` with `answers` (by block_id) typed in; other fields keep their initial value.

    Like Slack, fields nobody touched and that have no initial value are sent empty.
    """
    answers = dict(answers or {})
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for block_id, element in input_blocks(view):
        answer = answers.pop(block_id, None)
        values[block_id] = {str(element.get("action_id", "")): _state(element, answer)}
    if answers:
        raise FormError(f"the modal has no input block {sorted(answers)} (it has {sorted(values)})")
    return values


def element_in(view: Json, block_id: str) -> Json:
    for found_id, element in input_blocks(view):
        if found_id == block_id:
            return element
    raise FormError(f"the modal has no input block {block_id!r}")


def elements(container: Json) -> list[tuple[str | None, dict[str, Any]]]:
    """(block_id, element) for every element of a message or view: actions, accessories, inputs."""
    found: list[tuple[str | None, dict[str, Any]]] = []
    for block in container.get("blocks") or []:
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        found += [(block.get("block_id"), item) for item in candidates if isinstance(item, dict)]
    return found


def has_action(container: Json, action_id: str) -> bool:
    return any(item.get("action_id") == action_id for _, item in elements(container))


def element_value(container: Json, action_id: str) -> str | None:
    """The `value` a button carries, as Slack sends it back when the button is pressed."""
    for _, item in elements(container):
        if item.get("action_id") == action_id:
            return item.get("value")
    return None
