"""The Block Kit rules real Slack enforces, as the fake Slack Web API applies them.

Each rule cites /work/shared/slack-facts.md ("facts") or the Slack reference page it comes from.
Errors are strings shaped like Slack's: ``must be less than 3001 characters [json-pointer:/blocks/0/text/text]``
(the shape Slack answers with, seen in activepieces#11149 and jeremeamia/slack-block-kit#3).

Two passes: the explicit limits below give exact JSON pointers; then each block that passed is parsed
with ``slack_sdk.models`` and ``to_dict()`` is called, which raises ``SlackObjectFormationError`` for
the structural rules slack_sdk knows (facts: "slack_sdk.models.blocks validates most of these").
"""

from __future__ import annotations

import functools
import json
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

# facts, "Block Kit limits": 50 blocks per message; 100 per modal or Home tab.
MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
# facts: "a Home view over 250 kB fails (view_too_large)". Counted as 250,000 bytes of JSON, the
# stricter reading of "kB", so the fake never accepts a view real Slack would refuse.
VIEW_MAX_BYTES = 250_000
# facts: section text <= 3000, fields <= 10 each <= 2000, header text <= 150.
SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
SECTION_FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
# facts: button text <= 75, value <= 2000, url <= 3000; action_id / block_id <= 255.
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
BUTTON_URL_MAX = 3000
ACTION_ID_MAX = 255
BLOCK_ID_MAX = 255
# facts: modal title, submit and close <= 24; private_metadata <= 3000; callback_id <= 255.
VIEW_TITLE_MAX = 24
VIEW_SUBMIT_MAX = 24
VIEW_CLOSE_MAX = 24
PRIVATE_METADATA_MAX = 3000
CALLBACK_ID_MAX = 255
# facts: plain_text_input max_length 1..3000; static_select <= 100 options.
INPUT_MAX_LENGTH = 3000
SELECT_OPTIONS_MAX = 100
# Slack's block reference pages: actions holds up to 25 elements, context up to 10, input label and
# hint up to 2000 characters.
ACTIONS_ELEMENTS_MAX = 25
CONTEXT_ELEMENTS_MAX = 10
INPUT_LABEL_MAX = 2000

TEXT_TYPES = ("plain_text", "mrkdwn")
SELECT_TYPES = ("static_select", "multi_static_select")


def _too_long(limit: int, pointer: str) -> str:
    return f"must be less than {limit + 1} characters [json-pointer:{pointer}]"


def _text_object_errors(
    obj: object, pointer: str, *, limit: int, plain_only: bool = False, required: bool = True
) -> list[str]:
    if obj is None:
        return [f"missing required field: text [json-pointer:{pointer}]"] if required else []
    if not isinstance(obj, dict):
        return [f"must be a text object [json-pointer:{pointer}]"]
    allowed = ("plain_text",) if plain_only else TEXT_TYPES
    if obj.get("type") not in allowed:
        return [f"must be one of {', '.join(allowed)} [json-pointer:{pointer}/type]"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"must be more than 0 characters [json-pointer:{pointer}/text]"]
    if len(text) > limit:
        return [_too_long(limit, f"{pointer}/text")]
    return []


def _options_errors(element: dict[str, Any], pointer: str) -> list[str]:
    errors: list[str] = []
    options = element.get("options")
    if options is not None and (not isinstance(options, list) or len(options) > SELECT_OPTIONS_MAX):
        errors.append(f"must provide no more than {SELECT_OPTIONS_MAX} items [json-pointer:{pointer}/options]")
    groups = element.get("option_groups")
    if isinstance(groups, list):
        for index, group in enumerate(groups):
            group_options = group.get("options") if isinstance(group, dict) else None
            if isinstance(group_options, list) and len(group_options) > SELECT_OPTIONS_MAX:
                errors.append(
                    f"must provide no more than {SELECT_OPTIONS_MAX} items "
                    f"[json-pointer:{pointer}/option_groups/{index}/options]"
                )
    return errors


def _element_errors(element: object, pointer: str) -> list[str]:
    if not isinstance(element, dict):
        return [f"must be an object [json-pointer:{pointer}]"]
    errors: list[str] = []
    action_id = element.get("action_id")
    if isinstance(action_id, str) and len(action_id) > ACTION_ID_MAX:
        errors.append(_too_long(ACTION_ID_MAX, f"{pointer}/action_id"))
    kind = element.get("type")
    if kind == "button":
        errors += _text_object_errors(element.get("text"), f"{pointer}/text", limit=BUTTON_TEXT_MAX, plain_only=True)
        value = element.get("value")
        if isinstance(value, str) and len(value) > BUTTON_VALUE_MAX:
            errors.append(_too_long(BUTTON_VALUE_MAX, f"{pointer}/value"))
        url = element.get("url")
        if isinstance(url, str) and len(url) > BUTTON_URL_MAX:
            errors.append(_too_long(BUTTON_URL_MAX, f"{pointer}/url"))
    elif kind in SELECT_TYPES:
        errors += _options_errors(element, pointer)
    elif kind == "plain_text_input":
        max_length = element.get("max_length")
        if max_length is not None and (not isinstance(max_length, int) or not 1 <= max_length <= INPUT_MAX_LENGTH):
            errors.append(f"must be between 1 and {INPUT_MAX_LENGTH} [json-pointer:{pointer}/max_length]")
        min_length = element.get("min_length")
        if min_length is not None and (not isinstance(min_length, int) or not 0 <= min_length <= INPUT_MAX_LENGTH):
            errors.append(f"must be between 0 and {INPUT_MAX_LENGTH} [json-pointer:{pointer}/min_length]")
    return errors


def _block_rule_errors(block: object, pointer: str) -> list[str]:
    if not isinstance(block, dict):
        return [f"must be an object [json-pointer:{pointer}]"]
    errors: list[str] = []
    block_id = block.get("block_id")
    if isinstance(block_id, str) and len(block_id) > BLOCK_ID_MAX:
        errors.append(_too_long(BLOCK_ID_MAX, f"{pointer}/block_id"))
    kind = block.get("type")
    if kind == "section":
        fields = block.get("fields")
        if block.get("text") is None and not fields:
            errors.append(f"must provide text or fields [json-pointer:{pointer}]")
        if block.get("text") is not None:
            errors += _text_object_errors(block["text"], f"{pointer}/text", limit=SECTION_TEXT_MAX)
        if fields is not None:
            if not isinstance(fields, list) or len(fields) > SECTION_FIELDS_MAX:
                errors.append(f"must provide no more than {SECTION_FIELDS_MAX} items [json-pointer:{pointer}/fields]")
            else:
                for index, field in enumerate(fields):
                    errors += _text_object_errors(field, f"{pointer}/fields/{index}", limit=SECTION_FIELD_TEXT_MAX)
        if block.get("accessory") is not None:
            errors += _element_errors(block["accessory"], f"{pointer}/accessory")
    elif kind == "header":
        errors += _text_object_errors(block.get("text"), f"{pointer}/text", limit=HEADER_TEXT_MAX, plain_only=True)
    elif kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= ACTIONS_ELEMENTS_MAX:
            errors.append(f"must provide between 1 and {ACTIONS_ELEMENTS_MAX} items [json-pointer:{pointer}/elements]")
        else:
            for index, element in enumerate(elements):
                errors += _element_errors(element, f"{pointer}/elements/{index}")
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= CONTEXT_ELEMENTS_MAX:
            errors.append(f"must provide between 1 and {CONTEXT_ELEMENTS_MAX} items [json-pointer:{pointer}/elements]")
    elif kind == "input":
        errors += _text_object_errors(block.get("label"), f"{pointer}/label", limit=INPUT_LABEL_MAX, plain_only=True)
        errors += _text_object_errors(
            block.get("hint"), f"{pointer}/hint", limit=INPUT_LABEL_MAX, plain_only=True, required=False
        )
        if block.get("element") is None:
            errors.append(f"missing required field: element [json-pointer:{pointer}]")
        else:
            errors += _element_errors(block["element"], f"{pointer}/element")
    return errors


@functools.lru_cache(maxsize=4096)
def _sdk_block_problem(block_json: str) -> str | None:
    block = json.loads(block_json)
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return f"unsupported block type {block.get('type')!r}"
        parsed.to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as error:
        return str(error)
    return None


def _sdk_block_errors(block: dict[str, Any], pointer: str) -> list[str]:
    # slack_sdk's validation is most of the fake's per-message cost; a fan-out repeats blocks, so cache it.
    problem = _sdk_block_problem(json.dumps(block, sort_keys=True))
    return [] if problem is None else [f"{problem} [json-pointer:{pointer}]"]


def blocks_errors(blocks: list[Any], pointer: str, *, max_blocks: int) -> list[str]:
    """Every rule a list of blocks breaks; empty when Slack would accept it."""
    if len(blocks) > max_blocks:
        return [f"must provide no more than {max_blocks} items [json-pointer:{pointer}]"]
    errors: list[str] = []
    for index, block in enumerate(blocks):
        block_pointer = f"{pointer}/{index}"
        block_errors = _block_rule_errors(block, block_pointer)
        if not block_errors:
            block_errors = _sdk_block_errors(block, block_pointer)
        errors += block_errors
    return errors


def message_blocks_errors(blocks: list[Any]) -> list[str]:
    """Rules for chat.postMessage / postEphemeral / update and response_url bodies."""
    return blocks_errors(blocks, "/blocks", max_blocks=MESSAGE_MAX_BLOCKS)


def _view_field_length(view: dict[str, Any], name: str, limit: int) -> list[str]:
    obj = view.get(name)
    if obj is None:
        return []
    text = obj.get("text") if isinstance(obj, dict) else obj
    if not isinstance(text, str) or not text:
        return [f"must be more than 0 characters [json-pointer:/view/{name}/text]"]
    if len(text) > limit:
        return [_too_long(limit, f"/view/{name}/text")]
    return []


def view_errors(view: object, *, allowed_types: tuple[str, ...]) -> list[str]:
    """Rules for views.open / push / update / publish; Slack answers ``invalid_arguments``."""
    if not isinstance(view, dict):
        return ["missing required field: view [json-pointer:/view]"]
    errors: list[str] = []
    kind = view.get("type")
    if kind not in allowed_types:
        errors.append(f"must be one of {', '.join(allowed_types)} [json-pointer:/view/type]")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        errors.append("missing required field: blocks [json-pointer:/view/blocks]")
        blocks = []
    if kind == "modal":
        if view.get("title") is None:
            errors.append("missing required field: title [json-pointer:/view/title]")
        errors += _view_field_length(view, "title", VIEW_TITLE_MAX)
        errors += _view_field_length(view, "submit", VIEW_SUBMIT_MAX)
        errors += _view_field_length(view, "close", VIEW_CLOSE_MAX)
        # Slack's modal reference: "submit" is required when the modal holds an input block.
        has_input = any(isinstance(block, dict) and block.get("type") == "input" for block in blocks)
        if has_input and view.get("submit") is None:
            errors.append("missing required field: submit [json-pointer:/view/submit]")
    private_metadata = view.get("private_metadata")
    if isinstance(private_metadata, str) and len(private_metadata) > PRIVATE_METADATA_MAX:
        errors.append(_too_long(PRIVATE_METADATA_MAX, "/view/private_metadata"))
    callback_id = view.get("callback_id")
    if isinstance(callback_id, str) and len(callback_id) > CALLBACK_ID_MAX:
        errors.append(_too_long(CALLBACK_ID_MAX, "/view/callback_id"))
    errors += blocks_errors(blocks, "/view/blocks", max_blocks=VIEW_MAX_BLOCKS)
    if not errors:
        try:
            View(**view).to_dict()
        except (SlackObjectFormationError, TypeError, ValueError, KeyError, AttributeError) as error:
            errors.append(f"{error} [json-pointer:/view]")
    return errors


def view_size(view: dict[str, Any]) -> int:
    """Size in bytes of the view as Slack receives it (compact JSON, UTF-8)."""
    return len(json.dumps(view, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


RESPONSE_ACTIONS = ("update", "push", "errors", "clear")


def response_action_errors(answer: object, submitted_view: object = None) -> list[str]:
    """Rules for the HTTP ack of a view submission carrying a ``response_action``: a view in an
    ``update`` or ``push`` is held to the views.* rules (Slack shows the person an error instead of a
    view it would refuse from views.update or views.push), and ``errors`` names input blocks of the
    submitted view (Slack's view_submission reference: "errors" maps an input block's block_id to a
    message)."""
    if not isinstance(answer, dict) or "response_action" not in answer:
        return []
    action = answer.get("response_action")
    if action not in RESPONSE_ACTIONS:
        return [f"unknown response_action {action!r} [json-pointer:/response_action]"]
    if action in ("update", "push"):
        view = answer.get("view")
        if isinstance(view, dict) and view_size(view) > VIEW_MAX_BYTES:
            return ["view_too_large [json-pointer:/view]"]
        return view_errors(view, allowed_types=("modal",))
    if action == "errors":
        errors = answer.get("errors")
        if not isinstance(errors, dict) or not errors:
            return ["errors must name at least one input block [json-pointer:/errors]"]
        blocks = submitted_view.get("blocks") if isinstance(submitted_view, dict) else None
        if blocks:  # a test may submit a bare view with no blocks: nothing to check the names against
            inputs = {b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("type") == "input"}
            return [
                f"no input block {key!r} in the view [json-pointer:/errors/{key}]"
                for key in errors
                if key not in inputs
            ]
    return []
