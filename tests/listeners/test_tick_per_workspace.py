"""The tick of an OAuth install, end to end: two workspaces and a Grid organisation installed through
the redirect against the fake Slack (one server, a token per installation, rate limits per team), people
placed in each, then the real scheduler's tick. Each workspace's prompts, digests and consent DMs reach
it with its own token; an uninstall stops one without touching the others; one workspace answering 429
delays nobody else. On SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest
from sqlalchemy import text

from bot import scheduler
from bot.deps import Deps
from bot.logs import current_reference
from bot.server import EVENTS_PATH
from bot.services.one_on_ones import schedule
from bot.services.slots import Slot
from bot.testing.fake_slack import FakeSlack
from bot.testing.slack_requests import SlackRequests
from storage.models import Cadence
from tests.conftest import Database
from tests.listeners.harness import SIGNING_SECRET, TrackingExecutor, bundled_library
from tests.listeners.test_oauth_install import (
    CLIENT_ID,
    CLIENT_SECRET,
    Installed,
    empty_installation_tables,
    serve_oauth_app,
)

TEAM_A, TEAM_B, GRID_TEAM, ENTERPRISE = "T0AAA", "T0BBB", "T0GRIDHQ", "E0GRID"


@dataclass
class Deployment:
    served: Installed
    teams: dict[str, FakeSlack]  # by tenant id: TEAM_A, TEAM_B, ENTERPRISE

    @property
    def deps(self) -> Deps:
        return self.served.deps

    @property
    def base_url(self) -> str:
        return self.served.base_url

    @property
    def executor(self) -> TrackingExecutor:
        return self.served.executor

    def install(self, tenant: str) -> None:
        replace(self.served, fake=self.teams[tenant], cookie="").install()

    def tick(self) -> dict[str, object]:
        results = scheduler.tick(self.deps)
        workspaces = results["workspaces"]
        assert isinstance(workspaces, dict)
        for tenant, outcome in workspaces.items():
            assert isinstance(outcome, dict), (tenant, outcome)
            failed = {name: result for name, result in outcome.items() if isinstance(result, Exception)}
            assert not failed, (tenant, failed)
        return workspaces


@pytest.fixture
def deployment(request: pytest.FixtureRequest, db: Database) -> Iterator[Deployment]:
    """`@pytest.mark.parametrize("deployment", [True], indirect=True)`: the app rotates its tokens."""
    empty_installation_tables(db)
    with FakeSlack(team_id=TEAM_A) as fake:
        fake.enable_oauth(CLIENT_ID, CLIENT_SECRET, token_rotation=getattr(request, "param", False))
        teams = {
            TEAM_A: fake,
            TEAM_B: fake.add_team(TEAM_B, name="Team B"),
            ENTERPRISE: fake.add_team(GRID_TEAM, name="Grid HQ", enterprise_id=ENTERPRISE),
        }
        for served in serve_oauth_app(fake, db):
            yield Deployment(served, teams)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _place(deployment: Deployment, tenant: str, engineer: str, manager: str, *, newcomer: str | None = None) -> None:
    """An engineer whose prompt is due now, their manager (consented) with a 1:1 whose digest is due now,
    and optionally a newcomer whose manager link waits for consent (the tick DMs them the request)."""
    fake, now = deployment.teams[tenant], _now()
    framework = bundled_library()["luko-execution"]
    levels = {area.id: framework.levels[0].id for area in framework.areas}
    with deployment.deps.uow() as uow:
        workspace = uow.workspaces.get_or_create(tenant)
        boss, _ = uow.people.get_or_add(workspace.id, manager, imported_name=manager.lower(), tz="Europe/Paris")
        for user_id in [engineer] + ([newcomer] if newcomer else []):
            fake.add_user(user_id, user_id.lower(), tz="Europe/Paris")
            person, _ = uow.people.get_or_add(workspace.id, user_id, imported_name=user_id.lower(), tz="Europe/Paris")
            uow.placements.open(person.id, framework.id, levels, track=None, reason="setup", now=now)
            link = uow.managers.request(person.id, boss.id, requested_by_id=person.id, now=now)
            if user_id == engineer:
                uow.managers.accept(link, now)
                uow.schedules.upsert(
                    person.id, weekday=0, local_time=clock_time(10, 0), next_due_at=now - timedelta(minutes=1)
                )
                one_on_one = schedule(
                    uow, manager=boss, report=person, slot=Slot(0, clock_time(10, 0), Cadence.WEEKLY), now=now
                )
                one_on_one.next_at, one_on_one.next_digest_at = now + timedelta(hours=1), now - timedelta(minutes=1)
        fake.add_user(manager, manager.lower(), tz="Europe/Paris")


def _dm_texts(fake: FakeSlack, user_id: str) -> list[str]:
    return [str(message.get("text", "")) for message in fake.messages(fake.dm_channel_for(user_id))]


def _posted_to(fake: FakeSlack) -> set[str]:
    """The user ids or channels this workspace's chat.postMessage calls went to."""
    return {str(call.params.get("channel")) for call in fake.calls("chat.postMessage") if call.status == 200}


def test_each_workspace_gets_its_own_sends_with_its_own_token(deployment: Deployment) -> None:
    for tenant in (TEAM_A, TEAM_B, ENTERPRISE):
        deployment.install(tenant)
    people = {
        TEAM_A: ("UA1", "UAMGR", "UANEW"),
        TEAM_B: ("UB1", "UBMGR", "UBNEW"),
        ENTERPRISE: ("WG1", "WGMGR", "WGNEW"),
    }
    for tenant, (engineer, manager, newcomer) in people.items():
        _place(deployment, tenant, engineer, manager, newcomer=newcomer)

    results = deployment.tick()

    assert set(results) == {TEAM_A, TEAM_B, ENTERPRISE}
    for tenant, (engineer, manager, newcomer) in people.items():
        fake = deployment.teams[tenant]
        assert fake.calls("chat.postMessage"), tenant  # made with this installation's token: routed here
        assert _dm_texts(fake, engineer), (tenant, "prompt")
        assert _dm_texts(fake, manager), (tenant, "digest")
        assert _dm_texts(fake, newcomer), (tenant, "consent request")
        others = {user for other, ids in people.items() if other != tenant for user in ids}
        seen = _posted_to(fake) | {str(call.params.get("users")) for call in fake.calls("conversations.open")}
        assert not {target.removeprefix("D") for target in seen} & others, tenant  # nobody else's people
        assert all(call.error != "invalid_auth" for call in fake.calls()), tenant


def test_an_uninstalled_workspace_stops_and_the_others_go_on(deployment: Deployment) -> None:
    for tenant in (TEAM_A, TEAM_B, ENTERPRISE):
        deployment.install(tenant)
    team_b = deployment.teams[TEAM_B]
    requests = SlackRequests(deployment.base_url + EVENTS_PATH, SIGNING_SECRET, team_b, team_id=TEAM_B)
    requests.event({"type": "app_uninstalled", "event_ts": f"{time.time():.6f}"})
    deployment.executor.settle()
    _wait_until(lambda: _uninstalled(deployment, TEAM_B))
    team_b.revoke_tokens()
    before = {tenant: len(fake.calls()) for tenant, fake in deployment.teams.items()}
    _place(deployment, TEAM_A, "UA2", "UAMGR2")
    _place(deployment, TEAM_B, "UB2", "UBMGR2")  # placed after the uninstall: still nothing goes there
    _place(deployment, ENTERPRISE, "WG2", "WGMGR2")

    results = deployment.tick()

    assert set(results) == {TEAM_A, ENTERPRISE}
    assert len(team_b.calls()) == before[TEAM_B]
    assert _dm_texts(deployment.teams[TEAM_A], "UA2") and _dm_texts(deployment.teams[ENTERPRISE], "WG2")
    for fake in deployment.teams.values():
        assert all(call.error != "invalid_auth" for call in fake.calls())


def test_one_workspace_answering_429_delays_no_other(deployment: Deployment) -> None:
    for tenant in (TEAM_A, TEAM_B, ENTERPRISE):
        deployment.install(tenant)
    team_a = deployment.teams[TEAM_A]
    team_a.rate_limit("chat.postMessage", 1.0)  # one post a second, 429 with Retry-After between
    for n in range(3):
        _place(deployment, TEAM_A, f"UA{n}", f"UAMGR{n}")
        _place(deployment, TEAM_B, f"UB{n}", f"UBMGR{n}")
        _place(deployment, ENTERPRISE, f"WG{n}", f"WGMGR{n}")

    deployment.tick()

    a_posts = [call for call in team_a.calls("chat.postMessage") if call.status == 200]
    assert any(call.status == 429 for call in team_a.calls("chat.postMessage"))
    assert len(a_posts) >= 6  # three prompts, three digests (and their previews): all sent in the end
    last_of_a = max(call.at for call in a_posts)
    for tenant in (TEAM_B, ENTERPRISE):
        posts = [call for call in deployment.teams[tenant].calls("chat.postMessage") if call.status == 200]
        assert len(posts) >= 6, tenant
        # Not queued behind team A's refusals: every post went out while A was still waiting its turn.
        assert max(call.at for call in posts) < last_of_a, tenant


class _References(logging.Handler):
    """Each record's message with the log reference in force when it was logged."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: list[tuple[str, str | None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record.getMessage(), current_reference()))


def test_a_refused_token_stops_only_its_workspace(deployment: Deployment) -> None:
    for tenant in (TEAM_A, TEAM_B, ENTERPRISE):
        deployment.install(tenant)
    deployment.teams[TEAM_B].revoke_tokens()  # revoked, and the tokens_revoked event never arrived
    for tenant, prefix in ((TEAM_A, "UA"), (TEAM_B, "UB"), (ENTERPRISE, "WG")):
        _place(deployment, tenant, f"{prefix}1", f"{prefix}MGR")

    references = _References()
    logging.getLogger("bot").addHandler(references)
    try:
        deployment.tick()
    finally:
        logging.getLogger("bot").removeHandler(references)
    refusals = [ref for message, ref in references.seen if "refuses the bot token" in message]
    assert refusals and all(str(ref).endswith(f"/{TEAM_B}") for ref in refusals)  # the log says whose it was

    assert _dm_texts(deployment.teams[TEAM_A], "UA1") and _dm_texts(deployment.teams[ENTERPRISE], "WG1")
    assert not _dm_texts(deployment.teams[TEAM_B], "UB1")
    with deployment.deps.uow() as uow:  # B's prompt waits for its install to be fixed, as in single-token mode
        workspace = uow.workspaces.get_by_team(TEAM_B)
        assert workspace is not None
        person = uow.people.get_by_slack_id(workspace.id, "UB1")
        assert person is not None
        (prompt,) = uow.prompts.all_for(person.id)
        assert prompt.state.value == "due" and prompt.attempts == 0  # never claimed: B's sweep saw the refusal


@pytest.mark.parametrize("deployment", [True], indirect=True)
def test_a_rotating_token_is_refreshed_by_the_tick_before_it_sends(deployment: Deployment, db: Database) -> None:
    for tenant in (TEAM_A, TEAM_B):
        deployment.install(tenant)
    store = deployment.served.store
    first = {tenant: store.find_bot(enterprise_id=None, team_id=tenant) for tenant in (TEAM_A, TEAM_B)}
    # Rotating tokens live 12 hours; one expiring within token_rotation_expiration_minutes is refreshed.
    soon = _now() + timedelta(minutes=5)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE slack_bots SET bot_token_expires_at = :soon WHERE team_id = :team"),
            {
                "soon": soon,
                "team": TEAM_A,
            },
        )
    deployment.teams[TEAM_A].expire_tokens()
    _place(deployment, TEAM_A, "UA1", "UAMGR")
    _place(deployment, TEAM_B, "UB1", "UBMGR")

    deployment.tick()

    assert _dm_texts(deployment.teams[TEAM_A], "UA1") and _dm_texts(deployment.teams[TEAM_B], "UB1")
    refreshed = store.find_bot(enterprise_id=None, team_id=TEAM_A)
    untouched = store.find_bot(enterprise_id=None, team_id=TEAM_B)
    assert refreshed is not None and first[TEAM_A] is not None and refreshed.bot_token != first[TEAM_A].bot_token
    assert refreshed.bot_token in deployment.teams[TEAM_A].installed_tokens
    assert untouched is not None and first[TEAM_B] is not None and untouched.bot_token == first[TEAM_B].bot_token


def _uninstalled(deployment: Deployment, tenant: str) -> bool:
    with deployment.deps.uow() as uow:
        workspace = uow.workspaces.get_by_team(tenant)
        return workspace is not None and workspace.uninstalled_at is not None


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert condition()
