"""The fake's OAuth app: install codes, oauth.v2.access, and the bot tokens it hands out (with rotation).

Slack's flow (docs.slack.dev/authentication/installing-with-oauth): the installer approves the app on
Slack's authorize page, Slack redirects to the app's redirect URL with a one-time `code`, and the app
exchanges it at oauth.v2.access, authenticating with its client id and secret (HTTP Basic, as slack_sdk
sends them). With token rotation on (docs.slack.dev/authentication/using-token-rotation), the bot token
expires after `expires_in` seconds and comes with a refresh token; `grant_type=refresh_token` exchanges
that for a new pair.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from bot.testing.fake_slack.protocol import SCOPES, SlackError

CODE_TTL_S = 600  # Slack's codes expire after ten minutes
ROTATED_TOKEN_TTL_S = 12 * 3600  # rotating bot tokens live twelve hours


@dataclass
class OAuthApp:
    client_id: str
    client_secret: str
    rotation: bool = False
    codes: dict[str, float] = field(default_factory=dict)  # code -> expiry (epoch seconds)
    refresh_tokens: set[str] = field(default_factory=set)
    token_expiry: dict[str, float] = field(default_factory=dict)  # rotating bot token -> expiry
    installer_user_id: str = "U0INSTALLER"
    enterprise_id: str | None = None  # an org-wide install on this Enterprise Grid organisation

    def new_code(self) -> str:
        code = f"{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        self.codes[code] = time.time() + CODE_TTL_S
        return code

    def check_client(self, authorization: str, params: dict[str, Any]) -> None:
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        if authorization.lower().startswith("basic "):
            decoded = base64.b64decode(authorization[len("basic ") :].strip()).decode("utf-8", "replace")
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id:
            raise SlackError("invalid_client_id")
        if client_secret != self.client_secret:
            raise SlackError("bad_client_secret")

    def exchange(self, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """A new bot token for a code or a refresh token, and the answer's token fields."""
        grant = params.get("grant_type") or "authorization_code"
        if grant == "refresh_token":
            refresh = params.get("refresh_token")
            if refresh not in self.refresh_tokens:
                raise SlackError("invalid_refresh_token")
            self.refresh_tokens.discard(refresh)
        elif grant == "authorization_code":
            code = params.get("code")
            if not isinstance(code, str) or self.codes.pop(code, 0.0) < time.time():
                raise SlackError("invalid_code")
        else:
            raise SlackError("invalid_grant_type")
        if not self.rotation:
            token = f"xoxb-installed-{secrets.token_hex(8)}"
            return token, {"access_token": token}
        token = f"xoxe.xoxb-1-{secrets.token_hex(8)}"
        refresh = f"xoxe-1-{secrets.token_hex(12)}"
        self.refresh_tokens.add(refresh)
        self.token_expiry[token] = time.time() + ROTATED_TOKEN_TTL_S
        return token, {"access_token": token, "refresh_token": refresh, "expires_in": ROTATED_TOKEN_TTL_S}

    def expired(self, token: str) -> bool:
        expiry = self.token_expiry.get(token)
        return expiry is not None and expiry < time.time()


def access_answer(world: Any, token_fields: dict[str, Any], app: OAuthApp) -> dict[str, Any]:
    # An org-wide install names the organisation and no team (docs.slack.dev/enterprise-grid, "org-wide
    # apps"; slack-facts, "Several workspaces").
    org_wide = app.enterprise_id is not None
    return {
        **token_fields,
        "token_type": "bot",
        "scope": SCOPES,
        "bot_user_id": world.bot_user_id,
        "app_id": world.app_id,
        "team": None if org_wide else {"id": world.team_id, "name": world.team_name},
        "enterprise": {"id": app.enterprise_id, "name": "Growthbot Org"} if org_wide else None,
        "is_enterprise_install": org_wide,
        "authed_user": {"id": app.installer_user_id},
    }
