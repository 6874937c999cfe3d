"""Slash commands. `/ladder` subcommands are added to the table in `bot.listeners.commands.ladder`."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners.commands import ladder


def register(app: App, deps: Deps) -> None:
    ladder.register(app, deps)
