"""What the running app is wired with. Built once at the entry point, passed to every listener."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient

from bot.settings import Settings
from frameworks import Library, LibraryHolder
from storage.clock import utcnow
from storage.uow import UnitOfWorkFactory


@dataclass
class Deps:
    settings: Settings
    uow: UnitOfWorkFactory
    ladders: LibraryHolder
    client: WebClient
    # Naive UTC "now"; the demo and `growthbot tick --now` replace it with a simulated clock.
    now: Callable[[], datetime] = field(default=utcnow)

    @property
    def library(self) -> Library:
        return self.ladders.library
