"""External-data select menus (block_suggestion): Slack asks for options as the person types."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners.options import behaviours


def register(app: App, deps: Deps) -> None:
    behaviours.register(app, deps)
