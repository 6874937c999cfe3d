"""One package per Slack surface; each exposes `register(app, deps)`. Nothing registers on import."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners import actions, commands, events, options, shortcuts, views


def register_all(app: App, deps: Deps) -> None:
    commands.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    events.register(app, deps)
    shortcuts.register(app, deps)
    options.register(app, deps)
