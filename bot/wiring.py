"""`build_deps(settings)`: the engine, units of work, ladders and Slack client the running bot uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from bot.deps import Deps
from bot.followups import answer_queue
from bot.services.installations import record_install
from bot.settings import Settings
from bot.slack_client import make_web_client
from frameworks import Library, LibraryHolder, load_library
from storage.clock import utcnow
from storage.db import make_engine, make_session_factory
from storage.statistics import refresh_statistics
from storage.uow import UnitOfWorkFactory


@dataclass
class Wired:
    deps: Deps
    engine: Engine


POOL_HEADROOM = 8


def build(settings: Settings, *, library: Library | None = None, connections: int | None = None) -> Wired:
    """Everything wired from settings; the engine is returned too, for health checks and shutdown.

    `library`: the ladders already loaded from the same settings (the CLI checks them before starting).
    `connections`: at most this many database connections at once (the tick process); threads wanting
    one more wait for one to come back."""
    if not settings.oauth_install:
        settings.require("slack_bot_token")
    # One pooled connection per fan-out worker plus a few for listeners and the tick's own units of
    # work, so a fan-out never opens (and re-PRAGMAs) overflow connections it then throws away.
    pool = (
        {"pool_size": connections, "max_overflow": 0}
        if connections is not None
        else {"pool_size": settings.fanout_concurrency + POOL_HEADROOM, "max_overflow": POOL_HEADROOM}
    )
    engine = make_engine(settings.database_url, timeout_seconds=settings.database_timeout_seconds, **pool)
    refresh_statistics(engine)  # SQLite: then the tick, every few hours
    uow = UnitOfWorkFactory(make_session_factory(engine))
    extra_dirs = [settings.frameworks_dir] if settings.frameworks_dir else []
    ladders = LibraryHolder(extra_dirs, library=library, loader=load_library)
    deps = Deps(
        settings=settings,
        uow=uow,
        ladders=ladders,
        client=make_web_client(settings),
        followups=answer_queue(settings.answer_queue),
    )
    if settings.oauth_install:
        from bot.oauth import oauth_settings  # slack_bolt's OAuth modules load only for an OAuth install

        deps.oauth = oauth_settings(settings, engine, on_install=installed_recorder(uow))
    return Wired(deps, engine)


def installed_recorder(uow: UnitOfWorkFactory) -> Callable[[str, str | None], None]:
    """What the installation store calls after saving an install: the workspace is served (again)."""

    def record(tenant_id: str, name: str | None) -> None:
        record_install(uow, tenant_id, name, utcnow())

    return record


def build_deps(settings: Settings) -> Deps:
    return build(settings).deps
