"""The Web API methods the fake implements, one module per Slack method family."""

from __future__ import annotations

from bot.testing.fake_slack.methods import auth, chat, conversations, files, reactions, users, views
from bot.testing.fake_slack.state import Handler

METHODS: dict[str, Handler] = {
    **auth.METHODS,
    **users.METHODS,
    **conversations.METHODS,
    **chat.METHODS,
    **reactions.METHODS,
    **views.METHODS,
    **files.METHODS,
}
