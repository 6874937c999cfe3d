from __future__ import annotations

import pytest
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.demo import forms

A = Option(text="Level 1", value="1")
B = Option(text="Level 2", value="2")


def _modal() -> dict:
    return View(
        type="modal",
        title="Set up",
        submit="Save",
        blocks=[
            InputBlock(
                block_id="level",
                label="Your level",
                element=StaticSelectElement(action_id="lv", options=[A, B], initial_option=A),
            ),
            InputBlock(
                block_id="tags", label="Behaviours", element=StaticMultiSelectElement(action_id="tg", options=[A, B])
            ),
            InputBlock(block_id="text", label="What happened?", element=PlainTextInputElement(action_id="tx")),
            InputBlock(block_id="at", label="At", element=TimePickerElement(action_id="tm", initial_time="10:00")),
            InputBlock(block_id="mgr", label="Manager", optional=True, element=UserSelectElement(action_id="us")),
            ActionsBlock(elements=[ButtonElement(text="Add evidence", action_id="add", value="7")]),
        ],
    ).to_dict()


def test_fill_types_answers_and_keeps_initial_values() -> None:
    values = forms.fill(_modal(), {"level": "2", "tags": ["1", "2"], "text": "Shipped it", "mgr": "U9"})
    assert values["level"]["lv"] == {"type": "static_select", "selected_option": B.to_dict()}
    assert [o["value"] for o in values["tags"]["tg"]["selected_options"]] == ["1", "2"]
    assert values["text"]["tx"] == {"type": "plain_text_input", "value": "Shipped it"}
    assert values["at"]["tm"] == {"type": "timepicker", "selected_time": "10:00"}
    assert values["mgr"]["us"] == {"type": "users_select", "selected_user": "U9"}


def test_untouched_fields_are_sent_empty_or_initial() -> None:
    values = forms.fill(_modal())
    assert values["level"]["lv"]["selected_option"] == A.to_dict()
    assert values["tags"]["tg"]["selected_options"] == []
    assert values["text"]["tx"]["value"] is None


def test_unknown_field_or_option_is_an_error() -> None:
    with pytest.raises(forms.FormError):
        forms.fill(_modal(), {"nope": "x"})
    with pytest.raises(forms.FormError):
        forms.fill(_modal(), {"level": "9"})


def test_reading_buttons_like_a_person() -> None:
    modal = _modal()
    assert forms.has_action(modal, "add")
    assert not forms.has_action(modal, "nothing")
    assert forms.element_value(modal, "add") == "7"
    assert [block_id for block_id, _ in forms.elements(modal)][:2] == ["level", "tags"]
