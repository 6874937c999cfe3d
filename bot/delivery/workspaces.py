"""The tick of an OAuth install: every installed workspace (or Grid organisation) on its own.

With one `SLACK_BOT_TOKEN` the tick sends with the app's client. With the OAuth install each
installation has its own bot token, and Slack's rate limits are per workspace, so the tick's sending
tasks run once per installation, concurrently: each with that installation's token (from the
installation store, refreshed by slack_sdk's `TokenRotator` when token rotation is on, as Bolt's own
authorize does for requests), its own paced callers (a 429, a refused token or an uninstall in one
workspace stops only that one), and a unit of work scoped to its workspace, so it claims only its own
people's prompts, reminders, digests and DMs (storage.uow, `for_workspace`).

A workspace is served while Slack holds an installation with a bot token for it and growthbot has not
seen it uninstalled (`workspaces.uninstalled_at`, bot/services/installations.py). Its tenant id is the
Grid organisation's enterprise id for an org-wide install, else its team id (request_context.tenant_id).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.token_rotation import TokenRotator
from slack_sdk.oauth.token_rotation.rotator import SlackTokenRotationError

from bot.deps import Deps
from bot.logs import ContextThreadPoolExecutor, current_reference, new_reference, reference
from bot.oauth import InstallationStore
from bot.slack_client import make_web_client

log = logging.getLogger(__name__)

# Fan-out threads each workspace gets at least, however many share the tick's GROWTHBOT_FANOUT_CONCURRENCY:
# Slack paces a workspace's posts at about one a second, so two keep its pacer busy.
MIN_WORKSPACE_CONCURRENCY = 2
# Workspaces whose sends run at once; more wait for one to finish (each is bounded by the tick's budget).
MAX_WORKSPACES_AT_ONCE = 32


@dataclass(frozen=True, slots=True)
class Installed:
    """One installation the tick serves, as the installation store keys it."""

    tenant_id: str
    workspace_id: int
    enterprise_id: str | None
    team_id: str | None
    is_enterprise_install: bool


def installed_workspaces(deps: Deps) -> list[Installed]:
    """The installations to tick for: a bot token stored, and the workspace not uninstalled."""
    store = _store(deps)
    with deps.uow() as uow:
        served = {w.team_id: w.id for w in uow.workspaces.list_all() if w.uninstalled_at is None}
    found = []
    for enterprise_id, team_id, org_wide in store.installed_bots():
        tenant_id = enterprise_id if org_wide and enterprise_id else team_id
        if tenant_id and tenant_id in served:
            found.append(Installed(tenant_id, served[tenant_id], enterprise_id, team_id, org_wide))
    return found


def installation_client(deps: Deps, installed: Installed) -> WebClient | None:
    """A client with the installation's current bot token (refreshed first when it is about to expire);
    None when the store holds no token for it any more (uninstalled meanwhile)."""
    assert deps.oauth is not None
    store = _store(deps)
    bot = store.find_bot(
        enterprise_id=installed.enterprise_id,
        team_id=installed.team_id,
        is_enterprise_install=installed.is_enterprise_install,
    )
    if bot is None or not bot.bot_token:
        return None
    if bot.bot_refresh_token:
        bot = _rotated(deps, store, bot)
    return make_web_client(bot.bot_token or "", deps.client.base_url)


def _rotated(deps: Deps, store: InstallationStore, bot: Bot) -> Bot:
    assert deps.oauth is not None
    rotator = TokenRotator(
        client_id=deps.oauth.client_id,
        client_secret=deps.oauth.client_secret,
        client=WebClient(base_url=deps.client.base_url),
    )
    try:
        refreshed = rotator.perform_bot_token_rotation(
            bot=bot, minutes_before_expiration=deps.oauth.token_rotation_expiration_minutes
        )
    except SlackTokenRotationError as error:  # the old token is tried: its refusal stops this workspace only
        log.warning("could not refresh the bot token of %s: %s", bot.enterprise_id or bot.team_id, error)
        return bot
    if refreshed is None:
        return bot
    store.save_bot(refreshed)
    return refreshed


def workspace_deps(deps: Deps, installed: Installed, client: WebClient, concurrency: int) -> Deps:
    """`deps` for one installation's tick: its client, its workspace's units of work, its share of threads."""
    settings = deps.settings.model_copy(update={"fanout_concurrency": concurrency})
    return replace(deps, settings=settings, client=client, uow=deps.uow.for_workspace(installed.workspace_id))


def for_each_workspace(deps: Deps, run: Callable[[Deps], object]) -> dict[str, object]:
    """`run` once per installed workspace with its own deps, concurrently; each one's result (or the
    exception that stopped it: one workspace failing never stops another), by tenant id."""
    installations = installed_workspaces(deps)
    if not installations:
        return {}
    at_once = min(len(installations), MAX_WORKSPACES_AT_ONCE)
    concurrency = max(MIN_WORKSPACE_CONCURRENCY, deps.settings.fanout_concurrency // at_once)

    def one(installed: Installed) -> object:
        # The tick's reference with the workspace's id, so each log line says whose send it was.
        with reference(f"{current_reference() or new_reference()}/{installed.tenant_id}"):
            client = installation_client(deps, installed)
            if client is None:
                return "not installed"
            return run(workspace_deps(deps, installed, client, concurrency))

    results: dict[str, object] = {}
    with ContextThreadPoolExecutor(at_once, thread_name_prefix="workspace") as pool:
        futures = {installed.tenant_id: pool.submit(one, installed) for installed in installations}
        for tenant_id, future in futures.items():
            try:
                results[tenant_id] = future.result()
            except Exception as error:
                log.exception("the tick of workspace %s failed", tenant_id)
                results[tenant_id] = error
    return results


def _store(deps: Deps) -> InstallationStore:
    store = deps.oauth.installation_store if deps.oauth is not None else None
    if not isinstance(store, InstallationStore):
        raise RuntimeError("the tick per workspace needs the OAuth install's store (bot.oauth)")
    return store
