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

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, MetaData

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


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    settings.require("slack_client_id")
    return SQLAlchemyInstallationStore(client_id=settings.slack_client_id or "", engine=engine)


def oauth_settings(settings: Settings, engine: Engine) -> OAuthSettings:
    """Bolt's OAuth settings for this deployment; the stores share the bot's database engine."""
    settings.require("slack_client_id", "slack_client_secret")
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installation_store(settings, engine),
        installation_store_bot_only=True,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
    )


def installation_metadata() -> MetaData:
    """The stores' tables as the installed slack_sdk defines them (the migration test compares them)."""
    metadata = MetaData()
    store, states = SQLAlchemyInstallationStore, SQLAlchemyOAuthStateStore
    store.build_installations_table(metadata, store.default_installations_table_name)
    store.build_bots_table(metadata, store.default_bots_table_name)
    states.build_oauth_states_table(metadata, states.default_table_name)
    return metadata
