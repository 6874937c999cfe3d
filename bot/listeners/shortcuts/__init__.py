"""Global and message shortcuts (e.g. "Save as growth evidence"). One module per shortcut, one line each."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners.shortcuts import save_evidence


def register(app: App, deps: Deps) -> None:
    save_evidence.register(app, deps)
