from __future__ import annotations

from datetime import time

import pytest

from bot.services.slots import (
    WEEKDAY_NAMES,
    Slot,
    SlotError,
    command_words,
    day_and_time,
    day_at_time,
    every,
    parse_cadence,
    parse_slot,
    parse_time,
    parse_weekday,
    recurring,
    short_label,
    time_or_none,
    weekday_from_number,
    weekday_or_none,
)
from storage.models import Cadence

# --- Reading ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "slot"),
    [
        (["Tuesday", "14:30"], Slot(1, time(14, 30), Cadence.WEEKLY)),
        (["tue", "9:05", "fortnightly"], Slot(1, time(9, 5), Cadence.FORTNIGHTLY)),
        (["FRI", "2pm", "weekly"], Slot(4, time(14, 0), Cadence.WEEKLY)),
        (["su", "12am", "biweekly"], Slot(6, time(0, 0), Cadence.FORTNIGHTLY)),
    ],
)
def test_parse_slot(words: list[str], slot: Slot) -> None:
    assert parse_slot(words) == slot


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["tuesday"],
        ["t", "10:00"],
        ["someday", "10:00"],
        ["mon", "25:00"],
        ["mon", "10:61"],
        ["mon", "13pm"],
        ["mon", "10:00", "monthly"],
        ["mon", "10:00", "weekly", "extra"],
    ],
)
def test_parse_slot_refuses_with_a_hint(words: list[str]) -> None:
    with pytest.raises(SlotError):
        parse_slot(words)


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["someday", "10:00"], "“someday” is not a weekday; use e.g. Tuesday or tue."),
        (["t", "10:00"], "“t” is not a weekday; use e.g. Tuesday or tue."),
        (["mon", "25:00"], "“25:00” is not a time; use 24-hour HH:MM such as 14:30."),
        (["mon", "13pm"], "“13pm” is not a time; use 24-hour HH:MM such as 14:30."),
        (["mon", "half past ten"], "“half past ten” is not a time; use 24-hour HH:MM such as 14:30."),
        (["mon", "10:00", "monthly"], "“monthly” is not a cadence; use weekly or fortnightly."),
        (["tuesday"], "Give a weekday and a time, e.g. `Tuesday 14:30` (optionally `fortnightly`)."),
        (["mon", "10:00", "weekly", "x"], "Too many words: the form is `WEEKDAY HH:MM [weekly|fortnightly]`."),
    ],
)
def test_a_bad_slot_says_what_was_wrong_and_what_to_type(words: list[str], message: str) -> None:
    with pytest.raises(SlotError) as error:
        parse_slot(words)
    assert str(error.value) == message


def test_the_error_keeps_the_typed_word_apart_from_the_problem() -> None:
    with pytest.raises(SlotError) as error:
        parse_weekday("<!channel>")
    assert (error.value.typed, error.value.problem) == ("<!channel>", "is not a weekday; use e.g. Tuesday or tue.")
    with pytest.raises(SlotError) as missing:
        parse_slot([])
    assert missing.value.typed is None


@pytest.mark.parametrize(
    ("text", "weekday"),
    [("Monday", 0), ("mo", 0), ("tu", 1), (" WED ", 2), ("th", 3), ("thurs", 3), ("fr", 4), ("sa", 5), ("su", 6)],
)
def test_two_letters_are_enough_for_a_weekday(text: str, weekday: int) -> None:
    assert parse_weekday(text) == weekday


@pytest.mark.parametrize("text", ["", "m", "t", "tuesdays", "mondy", "0", "1"])
def test_what_is_not_a_weekday(text: str) -> None:
    with pytest.raises(SlotError, match="is not a weekday"):
        parse_weekday(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:30", time(14, 30)),
        ("09:00", time(9, 0)),
        ("9:05", time(9, 5)),
        ("9", time(9, 0)),
        ("23:59", time(23, 59)),
        ("0:00", time(0, 0)),
        ("2pm", time(14, 0)),
        ("2:30 PM", time(14, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        (" 7am ", time(7, 0)),
    ],
)
def test_parse_time(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "24:00", "10:60", "10:5", "0am", "13pm", "10.30", "noon", "-1:00"])
def test_what_is_not_a_time(text: str) -> None:
    with pytest.raises(SlotError, match="is not a time; use 24-hour HH:MM such as 14:30"):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "cadence"),
    [
        ("weekly", Cadence.WEEKLY),
        ("Week", Cadence.WEEKLY),
        ("every-week", Cadence.WEEKLY),
        ("fortnightly", Cadence.FORTNIGHTLY),
        ("BIWEEKLY", Cadence.FORTNIGHTLY),
        ("bi-weekly", Cadence.FORTNIGHTLY),
        ("fortnight", Cadence.FORTNIGHTLY),
    ],
)
def test_parse_cadence(text: str, cadence: Cadence) -> None:
    assert parse_cadence(text) == cadence


def test_the_forgiving_readers_give_none_instead_of_an_error() -> None:
    assert weekday_or_none("thu") == 3 and weekday_or_none("someday") is None and weekday_or_none(None) is None
    assert time_or_none("09:30") == time(9, 30) and time_or_none("25:00") is None and time_or_none(None) is None


@pytest.mark.parametrize(
    ("text", "weekday"), [("0", 0), ("6", 6), ("7", None), ("-1", None), ("mon", None), ("", None)]
)
def test_weekday_from_number(text: str, weekday: int | None) -> None:
    assert weekday_from_number(text) == weekday
    assert weekday_from_number(None) is None


# --- Describing -------------------------------------------------------------------------------------

WEEKLY = Slot(2, time(9, 30))
FORTNIGHTLY = Slot(2, time(9, 30), Cadence.FORTNIGHTLY)


def test_each_wording() -> None:
    assert day_at_time(2, time(9, 30)) == "Wednesday at 09:30"
    assert day_and_time(0, time(10, 0)) == "Monday 10:00"
    assert every(WEEKLY) == "every Wednesday at 09:30"
    assert every(FORTNIGHTLY) == "every other Wednesday at 09:30"
    assert every(FORTNIGHTLY, capitalised=True) == "Every other Wednesday at 09:30"
    assert recurring(Slot(1, time(14, 30))) == "Tuesdays at 14:30, weekly"
    assert recurring(Slot(3, time(9, 0), Cadence.FORTNIGHTLY)) == "Thursdays at 09:00, fortnightly"
    assert short_label(Slot(0, time(10, 0))) == "Mon 10:00 weekly"
    assert short_label(FORTNIGHTLY) == "Wed 09:30 fortnightly"
    assert command_words(FORTNIGHTLY) == "wednesday 09:30 fortnightly"


def test_a_cadence_stored_as_text_is_described_too() -> None:
    class Stored:
        weekday, local_time, cadence = 4, time(16, 0), "fortnightly"

    assert recurring(Stored()) == "Fridays at 16:00, fortnightly"
    assert every(Stored()) == "every other Friday at 16:00"


@pytest.mark.parametrize("weekday", range(7))
# Monthly is never typed: only the back-off's buttons set it (bot.services.backoff_requests).
@pytest.mark.parametrize("cadence", [c for c in Cadence if c is not Cadence.MONTHLY])
def test_command_words_read_back_as_the_same_slot(weekday: int, cadence: Cadence) -> None:
    slot = Slot(weekday, time(7, 5), cadence)
    assert parse_slot(command_words(slot).split()) == slot


def test_every_weekday_name_reads_back_as_its_weekday() -> None:
    assert [parse_weekday(name) for name in WEEKDAY_NAMES] == list(range(7))


@pytest.mark.parametrize(
    ("words", "quoted"),
    [
        (["<!channel>", "10:00"], "“&lt;!channel&gt;” is not a weekday"),
        (["mon", "<@U2>"], "“&lt;@U2&gt;” is not a time"),
        (["mon", "10:00", "R&D"], "“R&amp;D” is not a cadence"),
    ],
)
def test_parse_slot_quotes_the_typed_word_as_safe_mrkdwn(words: list[str], quoted: str) -> None:
    with pytest.raises(SlotError) as error:
        parse_slot(words)
    assert str(error.value).startswith(quoted)


def test_parse_slot_shortens_a_very_long_word() -> None:
    with pytest.raises(SlotError) as error:
        parse_slot(["<" * 5000, "10:00"])
    assert len(str(error.value)) < 500 and "<" not in str(error.value)


def test_a_slot_error_without_a_typed_word_is_its_problem() -> None:
    with pytest.raises(SlotError) as error:
        parse_slot(["tuesday"])
    assert str(error.value) == ("Give a weekday and a time, e.g. `Tuesday 14:30` (optionally `fortnightly`).")
