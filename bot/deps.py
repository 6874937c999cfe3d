"""What the running app is wired with. Built once at the entry point, passed to every listener."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.followups import answer_queue
from bot.settings import DEFAULT_ANSWER_QUEUE, Settings
from frameworks import Library, LibraryHolder
from storage.clock import utcnow
from storage.uow import UnitOfWorkFactory

if TYPE_CHECKING:  # services take Deps; only bot/delivery and the listeners use the client
    from slack_bolt.oauth.oauth_settings import OAuthSettings
    from slack_sdk import WebClient


@dataclass
class Deps:
    settings: Settings
    uow: UnitOfWorkFactory
    ladders: LibraryHolder
    client: WebClient
    # Naive UTC "now"; the demo and `growthbot tick --now` replace it with a simulated clock.
    now: Callable[[], datetime] = field(default=utcnow)
    # Work done after a command is acknowledged (bot.listeners.commands.ladder), bounded: a full queue
    # raises bot.followups.QueueFull. bot.wiring sizes it from GROWTHBOT_ANSWER_QUEUE.
    followups: Executor = field(default_factory=lambda: answer_queue(DEFAULT_ANSWER_QUEUE))
    # The OAuth install (bot/oauth.py): a token per workspace instead of `client`'s one token.
    oauth: OAuthSettings | None = None

    @property
    def library(self) -> Library:
        return self.ladders.library
