"""Events API listeners. Every handler must be idempotent: Slack redelivers unacknowledged events."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners.events import app_home, installs, messages, users


def register(app: App, deps: Deps) -> None:
    app_home.register(app, deps)
    installs.register(app, deps)
    messages.register(app, deps)
    users.register(app, deps)
