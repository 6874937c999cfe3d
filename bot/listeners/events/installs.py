"""app_uninstalled and tokens_revoked: the workspace stops being served at once.

Slack sends these when the app is uninstalled or its tokens are revoked (slack-facts, "Several
workspaces"). With the OAuth install, Bolt's own token-revocation listeners delete the stored
installation (`TokenRevocationListeners`, what `App.enable_token_revocation_listeners` registers); in
both install modes the workspace is marked uninstalled, so nothing more is sent to it, and its people's
data is deleted after `GROWTHBOT_UNINSTALLED_RETENTION_DAYS` (bot/services/installations.py).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.listener.builtins import TokenRevocationListeners

from bot.deps import Deps
from bot.services.installations import record_uninstall


def app_uninstalled(ack: Ack, context: BoltContext, deps: Deps, tenant_id: str) -> None:
    ack()
    if deps.oauth is not None and deps.oauth.installation_store is not None:
        TokenRevocationListeners(deps.oauth.installation_store).handle_app_uninstalled_events(context)
    record_uninstall(deps.uow, tenant_id, deps.now(), why="app_uninstalled")


def tokens_revoked(ack: Ack, event: dict[str, Any], context: BoltContext, deps: Deps, tenant_id: str) -> None:
    ack()
    if deps.oauth is not None and deps.oauth.installation_store is not None:
        TokenRevocationListeners(deps.oauth.installation_store).handle_tokens_revoked_events(event, context)
    if (event.get("tokens") or {}).get("bot"):  # the bot's token: the app can no longer send there
        record_uninstall(deps.uow, tenant_id, deps.now(), why="bot token revoked")


def register(app: App, deps: Deps) -> None:
    app.event("app_uninstalled")(app_uninstalled)
    app.event("tokens_revoked")(tokens_revoked)
