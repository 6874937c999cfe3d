"""Errors worded for the person: raised by services, shown by the one error path (bot.errors) or a listener.

Slack-free: the wording is ours (mrkdwn); text that is not ours is escaped only where the message is
shown, with Slack's three reserved characters (bot.services.text.escape).
"""

from __future__ import annotations

from bot.services.text import escape


class WordedError(Exception):
    """An error worded for the person, shown as `str(error)` (safe mrkdwn).

    `wording` is ours; text that is not (what they typed, names from a ladder file) is passed raw as
    `quoted` and escaped into the wording's `{name}` fields here, where the message is shown, so the
    service raising it stays free of Slack's escaping rules.
    """

    def __init__(self, wording: str, **quoted: str) -> None:
        super().__init__(wording)
        self.wording = wording
        self.quoted = quoted

    def __str__(self) -> str:
        if not self.quoted:
            return self.wording
        return self.wording.format(**{name: escape(text) for name, text in self.quoted.items()})


class UserFacingError(WordedError):
    """A problem the user can fix. Our wording is mrkdwn; user text goes in `quoted` (see WordedError)."""
