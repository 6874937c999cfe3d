"""The OAuth install: Bolt's OAuth flow over slack_sdk's SQLAlchemy installation and state stores.

With `SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET` set (and no single `SLACK_BOT_TOKEN` needed), `serve`
answers `GET /slack/install` (an "Add to Slack" page) and `GET /slack/oauth_redirect`, and every request
is authorised with the token of the installation it came from (Bolt's InstallationStoreAuthorize; the
listeners' `client` carries that token). The stores keep their rows in growthbot's own database, in the
tables revision 0015 creates (`slack_installations`, `slack_bots`, `slack_oauth_states`).

Token rotation: when the app enables it (manifest `token_rotation_enabled: true`), oauth.v2.access hands
out a refresh token with each bot token, and Bolt refreshes a token that expires within
`token_rotation_expiration_minutes` before using it
(https://docs.slack.dev/authentication/using-token-rotation).
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData, select

from bot.settings import Settings

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot scopes manifest.yaml declares (tests/test_manifest.py keeps the two the same).
BOT_SCOPES = (
    "chat:write",
    "commands",
    "im:history",
    "im:write",
    "reactions:write",
    "users:read",
    "users:read.email",
    "files:write",
)
# How long an install link's state stays valid: long enough to read Slack's consent page.
STATE_EXPIRATION_SECONDS = 600


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, telling growthbot when a workspace (or a Grid organisation) is installed."""

    def __init__(self, client_id: str, engine: Engine, on_install: Callable[[str, str | None], None]) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self._on_install = on_install

    def installed_bots(self) -> list[tuple[str | None, str | None, bool]]:
        """(enterprise id, team id, is_enterprise_install) of every installation with a bot token, for the
        tick; `find_bot` gives each one's latest token. slack_sdk's store lists none, so this reads its table."""
        c = self.bots.c
        query = (
            select(c.enterprise_id, c.team_id, c.is_enterprise_install)
            .where(c.client_id == self.client_id, c.bot_token.is_not(None))
            .distinct()
            .order_by(c.enterprise_id, c.team_id)
        )
        with self.engine.connect() as connection:
            return [(row[0], row[1], bool(row[2])) for row in connection.execute(query)]

    def save(self, installation: Installation) -> None:
        super().save(installation)
        if installation.is_enterprise_install and installation.enterprise_id:
            self._on_install(installation.enterprise_id, installation.enterprise_name)
        elif installation.team_id:
            self._on_install(installation.team_id, installation.team_name)


def oauth_settings(
    settings: Settings, engine: Engine, *, on_install: Callable[[str, str | None], None] | None = None
) -> OAuthSettings:
    """Bolt's OAuth settings for this deployment; the stores share the bot's database engine.
    `on_install(tenant id, name)` runs after each installation is saved (a token refresh saves too)."""
    settings.require("slack_client_id", "slack_client_secret")
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=InstallationStore(settings.slack_client_id or "", engine, on_install or _ignore),
        installation_store_bot_only=True,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
    )


def _ignore(tenant_id: str, name: str | None) -> None:
    return None


def installation_metadata() -> MetaData:
    """The stores' tables as the installed slack_sdk defines them (the migration test compares them)."""
    metadata = MetaData()
    store, states = SQLAlchemyInstallationStore, SQLAlchemyOAuthStateStore
    store.build_installations_table(metadata, store.default_installations_table_name)
    store.build_bots_table(metadata, store.default_bots_table_name)
    states.build_oauth_states_table(metadata, states.default_table_name)
    return metadata
