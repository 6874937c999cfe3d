"""What the running app is wired with. Built once at the entry point, passed to every listener."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient

from bot.settings import Settings
from frameworks import Library, LibraryHolder
from storage.clock import utcnow
from storage.uow import UnitOfWorkFactory

# Work done after a command is acknowledged (see bot.listeners.commands.ladder): few threads at a
# lower OS priority, so acks keep the CPU when answers pile up; answers mostly wait on I/O anyway.
FOLLOWUP_THREADS = 4
FOLLOWUP_NICENESS = 5


def _lower_thread_priority() -> None:
    # Linux keeps a nice value per thread; elsewhere the pool simply runs at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        me = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, me, os.getpriority(os.PRIO_PROCESS, me) + FOLLOWUP_NICENESS)


def _followup_pool() -> Executor:
    return ThreadPoolExecutor(FOLLOWUP_THREADS, thread_name_prefix="followup", initializer=_lower_thread_priority)


@dataclass
class Deps:
    settings: Settings
    uow: UnitOfWorkFactory
    ladders: LibraryHolder
    client: WebClient
    # Naive UTC "now"; the demo and `growthbot tick --now` replace it with a simulated clock.
    now: Callable[[], datetime] = field(default=utcnow)
    followups: Executor = field(default_factory=_followup_pool)

    @property
    def library(self) -> Library:
        return self.ladders.library
