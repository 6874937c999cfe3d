"""Exceptions whose message is meant for the person in Slack (the `@app.error` handler shows it as is)."""

from __future__ import annotations


class UserFacingError(Exception):
    """A problem the user can fix. The message must already be safe mrkdwn (escape user text in it)."""
