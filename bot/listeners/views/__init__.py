"""Modal submissions (view_submission / view_closed). One module per modal, one line each here."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners.views import (
    checkin,
    digest_note,
    disputes,
    evidence,
    focus,
    forget,
    onboarding,
    one_on_one,
    promotion,
)


def register(app: App, deps: Deps) -> None:
    onboarding.register(app, deps)
    forget.register(app, deps)
    digest_note.register(app, deps)
    disputes.register(app, deps)
    one_on_one.register(app, deps)
    evidence.register(app, deps)
    checkin.register(app, deps)
    promotion.register(app, deps)
    focus.register(app, deps)
