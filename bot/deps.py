"""What the running app is wired with. Built once at the entry point, passed to every listener."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.settings import Settings
from frameworks import Library, LibraryHolder
from storage.clock import utcnow
from storage.uow import UnitOfWorkFactory

if TYPE_CHECKING:  # services take Deps; only bot/delivery and the listeners use the client
    from slack_bolt.oauth.oauth_settings import OAuthSettings
    from slack_sdk import WebClient

# Work done after a command is acknowledged (see bot.listeners.commands.ladder). Two threads per
# worker: answers are mostly CPU in Python, so more threads only add contenders for the GIL that acks
# need. They keep the normal OS priority: a lower one let the OS park a follow-up thread while it held
# the GIL, stalling every ack in its worker (bench/ack: p99 1.4-3x a bare app at nice +5 with 4 threads).
FOLLOWUP_THREADS = 2


def _followup_pool() -> Executor:
    return ThreadPoolExecutor(FOLLOWUP_THREADS, thread_name_prefix="followup")


@dataclass
class Deps:
    settings: Settings
    uow: UnitOfWorkFactory
    ladders: LibraryHolder
    client: WebClient
    # Naive UTC "now"; the demo and `growthbot tick --now` replace it with a simulated clock.
    now: Callable[[], datetime] = field(default=utcnow)
    followups: Executor = field(default_factory=_followup_pool)
    # The OAuth install (bot/oauth.py): a token per workspace instead of `client`'s one token.
    oauth: OAuthSettings | None = None

    @property
    def library(self) -> Library:
        return self.ladders.library
