"""`build_deps(settings)`: the engine, units of work, ladders and Slack client the running bot uses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from bot.deps import Deps
from bot.settings import Settings
from bot.slack_client import make_web_client
from frameworks import LibraryHolder, load_library
from storage.db import make_engine, make_session_factory
from storage.uow import UnitOfWorkFactory


@dataclass
class Wired:
    deps: Deps
    engine: Engine


def build(settings: Settings) -> Wired:
    """Everything wired from settings; the engine is returned too, for health checks and shutdown."""
    settings.require("slack_bot_token")
    engine = make_engine(settings.database_url)
    uow = UnitOfWorkFactory(make_session_factory(engine))
    extra_dirs = [settings.frameworks_dir] if settings.frameworks_dir else []
    ladders = LibraryHolder(extra_dirs, loader=load_library)
    deps = Deps(settings=settings, uow=uow, ladders=ladders, client=make_web_client(settings))
    return Wired(deps, engine)


def build_deps(settings: Settings) -> Deps:
    return build(settings).deps
