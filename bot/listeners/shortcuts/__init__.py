"""Global and message shortcuts (e.g. "Save as growth evidence"). One module per shortcut, one line each."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps


def register(app: App, deps: Deps) -> None:
    """Nothing yet: the evidence feature adds its message shortcut module here."""
