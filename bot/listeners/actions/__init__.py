"""Button and select interactions (block_actions). One module per feature, one line each here."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners.actions import (
    access_log,
    backoff,
    checkin,
    consent,
    digest,
    digest_signoff,
    focus,
    home,
    onboarding,
    one_on_one,
    promotion,
    prompt,
    tag_suggestion,
)


def register(app: App, deps: Deps) -> None:
    home.register(app, deps)
    access_log.register(app, deps)
    onboarding.register(app, deps)
    consent.register(app, deps)
    digest.register(app, deps)
    digest_signoff.register(app, deps)
    one_on_one.register(app, deps)
    prompt.register(app, deps)
    checkin.register(app, deps)
    promotion.register(app, deps)
    tag_suggestion.register(app, deps)
    backoff.register(app, deps)
    focus.register(app, deps)
