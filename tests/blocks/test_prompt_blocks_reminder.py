from types import SimpleNamespace

from bot.blocks.prompt import reminder_text

WHY = "It is part of reaching Senior in Delivery, and you have no evidence for it yet."


def test_reminder_promises_nothing_a_snooze_would_break() -> None:
    # A snooze after the reminder brings the prompt back once more: the text must stay true then too.
    text = reminder_text(SimpleNamespace(why=WHY))  # type: ignore[arg-type]  # only the why line is read
    assert "only reminder" not in text
    assert "unless you snooze it" in text


def test_reminder_says_why_the_prompt_was_picked_escaped() -> None:
    assert WHY in reminder_text(SimpleNamespace(why=WHY))  # type: ignore[arg-type]
    shown = reminder_text(SimpleNamespace(why="Part of reaching <!channel> & co."))  # type: ignore[arg-type]
    assert "<!channel>" not in shown and "&lt;!channel&gt; &amp; co." in shown
