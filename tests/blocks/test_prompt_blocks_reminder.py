from bot.blocks.prompt import reminder_text


def test_reminder_promises_nothing_a_snooze_would_break() -> None:
    # A snooze after the reminder brings the prompt back once more: the text must stay true then too.
    text = reminder_text(None)  # type: ignore[arg-type]  # the wording does not depend on the content
    assert "only reminder" not in text
    assert "unless you snooze it" in text
