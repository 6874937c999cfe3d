"""The OAuth install end to end: "Add to Slack", the redirect, requests answered with the stored token,
token rotation, uninstall — the real Bolt app behind the production Flask app, the fake Slack's
oauth.v2.access, on SQLite and PostgreSQL. Single-token mode is every other test in tests/listeners/."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import text
from werkzeug.serving import make_server

from bot.app import create_app
from bot.deps import Deps
from bot.oauth import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH, installation_metadata, oauth_settings
from bot.server import EVENTS_PATH, create_flask_app
from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack
from bot.testing.slack_requests import SlackRequests
from bot.wiring import installed_recorder
from frameworks import LibraryHolder
from tests.conftest import Database
from tests.listeners.harness import SIGNING_SECRET, TEAM_ID, TrackingExecutor, bundled_library, make_settings

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret"


@dataclass
class Installed:
    fake: FakeSlack
    base_url: str
    requests: SlackRequests
    executor: TrackingExecutor
    store: SQLAlchemyInstallationStore
    db: Database
    deps: Deps
    cookie: str = ""

    def get(self, path: str) -> tuple[int, str]:
        # Bolt's state cookie is `Secure` (Slack requires an https redirect URL); this test server is
        # plain http, so the browser's cookie is carried by hand, as a browser on https would send it.
        request = urllib.request.Request(self.base_url + path, headers={"Cookie": self.cookie} if self.cookie else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                self.cookie = (response.headers.get("Set-Cookie") or self.cookie or "").split(";")[0]
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def install(self) -> str:
        """Open the install page, follow its link as Slack would after "Allow": the redirect's answer."""
        status, page = self.get(INSTALL_PATH)
        assert status == 200, page
        link = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page)
        assert link, page
        query = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)
        assert query["client_id"] == [CLIENT_ID]
        assert set(query["scope"][0].split(",")) == set(BOT_SCOPES)
        redirect = urlencode({"code": self.fake.approve_install(), "state": query["state"][0]})
        status, answer = self.get(f"{REDIRECT_PATH}?{redirect}")
        assert status == 200, answer
        return answer

    def bot_token(self) -> str | None:
        bot = self.store.find_bot(enterprise_id=None, team_id=TEAM_ID)
        return bot.bot_token if bot else None


@pytest.fixture
def installed_app(db: Database) -> Iterator[Installed]:
    empty_installation_tables(db)
    with FakeSlack(team_id=TEAM_ID) as fake:
        yield from _serve(fake, db)


def empty_installation_tables(db: Database) -> None:
    installation_metadata().create_all(db.engine)
    with db.engine.begin() as connection:  # PostgreSQL's test database is shared by the tests of a worker
        for table in installation_metadata().sorted_tables:
            connection.execute(text(f"DELETE FROM {table.name}"))


def _serve(
    fake: FakeSlack, db: Database, *, rotation: bool = False, enterprise_id: str | None = None
) -> Iterator[Installed]:
    fake.enable_oauth(CLIENT_ID, CLIENT_SECRET, token_rotation=rotation, enterprise_id=enterprise_id)
    yield from serve_oauth_app(fake, db)


def serve_oauth_app(fake: FakeSlack, db: Database) -> Iterator[Installed]:
    """growthbot for an OAuth install (no bot token, the fake's OAuth app enabled by the caller), served
    over HTTP with its installation store in `db`."""
    settings = make_settings(
        fake, db, SLACK_BOT_TOKEN=None, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET
    )
    executor = TrackingExecutor()
    deps = Deps(
        settings=settings,
        uow=db.uow,
        ladders=LibraryHolder(library=bundled_library()),
        client=make_web_client(settings),
        followups=TrackingExecutor(4),
        oauth=oauth_settings(settings, db.engine, on_install=installed_recorder(db.uow)),
    )
    app = create_app(deps, listener_executor=executor)
    server = make_server("127.0.0.1", 0, create_flask_app(app, deps), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    assert deps.oauth is not None and deps.oauth.installation_store is not None
    try:
        yield Installed(
            fake,
            base_url,
            SlackRequests(base_url + EVENTS_PATH, SIGNING_SECRET, fake, team_id=fake.team_id),
            executor,
            deps.oauth.installation_store,  # type: ignore[arg-type]
            db,
            deps,
        )
    finally:
        server.shutdown()
        server.server_close()
        executor.settle()
        executor.shutdown(wait=True)


def _home_published(installed: Installed, user_id: str) -> bool:
    installed.fake.add_user(user_id, "ada", tz="Europe/London")
    installed.requests.app_home_opened(user_id)
    installed.executor.settle()
    return user_id in installed.fake.views_published


def test_install_then_requests_use_the_installations_token(installed_app: Installed) -> None:
    assert installed_app.bot_token() is None
    assert not _home_published(installed_app, "U0BEFORE")  # nothing installed: Bolt refuses to authorise
    answer = installed_app.install()
    assert "Thank you" in answer or "success" in answer.lower()
    token = installed_app.bot_token()
    assert token in installed_app.fake.installed_tokens  # the token oauth.v2.access issued, stored
    assert _home_published(installed_app, "U0ADA")  # Bolt authorised the event with it


def test_the_redirect_refuses_a_forged_state(installed_app: Installed) -> None:
    code = installed_app.fake.approve_install()
    status, _ = installed_app.get(f"{REDIRECT_PATH}?{urlencode({'code': code, 'state': 'forged'})}")
    assert status >= 400
    assert installed_app.bot_token() is None


def test_uninstall_deletes_the_installation(installed_app: Installed) -> None:
    installed_app.install()
    installed_app.fake.revoke_tokens()
    installed_app.requests.event({"type": "app_uninstalled", "event_ts": f"{time.time():.6f}"})
    installed_app.executor.settle()
    deadline = time.monotonic() + 10
    while installed_app.bot_token() is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert installed_app.bot_token() is None
    with installed_app.db.uow() as uow:
        workspace = uow.workspaces.get_by_team(TEAM_ID)
        assert workspace is not None and workspace.uninstalled_at is not None
    installed_app.install()  # installed again: served again
    with installed_app.db.uow() as uow:
        workspace = uow.workspaces.get_by_team(TEAM_ID)
        assert workspace is not None and workspace.uninstalled_at is None
    assert _home_published(installed_app, "U0ADA")


def test_a_rotating_token_is_refreshed_before_use(db: Database) -> None:
    empty_installation_tables(db)
    with FakeSlack(team_id=TEAM_ID) as fake:
        for installed in _serve(fake, db, rotation=True):
            installed.install()
            first = installed.bot_token()
            assert first and first.startswith("xoxe.xoxb-")
            # Slack's rotating tokens live 12 hours; Bolt refreshes one expiring within two hours, so
            # move the stored expiry close and the next request must refresh it first.
            with db.engine.begin() as connection:
                for table in ("slack_bots", "slack_installations"):
                    connection.execute(text(f"UPDATE {table} SET bot_token_expires_at = :soon"), {"soon": _soon()})
            installed.fake.expire_tokens()
            assert _home_published(installed, "U0ADA")
            assert installed.bot_token() not in (None, first)


def _soon() -> datetime:
    return (datetime.now(UTC) + timedelta(minutes=5)).replace(tzinfo=None)


def test_an_org_wide_install_serves_every_workspace_of_the_org_as_one_set_of_people(db: Database) -> None:
    empty_installation_tables(db)
    with FakeSlack(team_id=TEAM_ID) as fake:
        for installed in _serve(fake, db, enterprise_id="E0GRID"):
            installed.install()
            bot = installed.store.find_bot(enterprise_id="E0GRID", team_id=None, is_enterprise_install=True)
            assert bot is not None and bot.bot_token in fake.installed_tokens
            _seed_set_up_person(db, tenant="E0GRID", user_id="W0ADA")
            fake.add_user("W0ADA", "ada", tz="Europe/London")
            homes = []
            for team in ("T0EAST", "T0WEST"):  # two workspaces of the organisation
                requests = SlackRequests(
                    installed.base_url + EVENTS_PATH, SIGNING_SECRET, fake, team_id=team, enterprise_id="E0GRID"
                )
                requests.app_home_opened("W0ADA")
                installed.executor.settle()
                homes.append(json.dumps(fake.views_published["W0ADA"]))
            assert all("Execution" in home for home in homes)  # the set-up person's Home, from both
            with db.uow() as uow:
                assert uow.workspaces.get_by_team("T0EAST") is None and uow.workspaces.get_by_team("T0WEST") is None


def _seed_set_up_person(db: Database, *, tenant: str, user_id: str) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with db.uow() as uow:
        workspace = uow.workspaces.get_or_create(tenant)
        person, _ = uow.people.get_or_add(workspace.id, user_id, imported_name="Ada", tz="Europe/London")
        framework = bundled_library()["luko-execution"]
        levels = {area.id: framework.levels[0].id for area in framework.areas}
        uow.placements.open(person.id, framework.id, levels, track=None, reason="setup", now=now)
