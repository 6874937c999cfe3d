"""Audit entries (the engineers' access logs) are kept `GROWTHBOT_AUDIT_RETENTION_DAYS`, then pruned by
the tick, oldest first, in bounded batches (each its own short transaction), so a first run over
years of history never holds a long lock or a long tick. The record that someone's data was deleted
is kept: after a `/ladder forget` it is the only entry left about them."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.data_rights import DELETED_PERSON_DATA
from storage.uow import UnitOfWorkFactory

BATCH = 500
MAX_BATCHES = 10  # per tick: at most 5,000 entries; the next tick goes on
KEPT_ACTIONS = (DELETED_PERSON_DATA,)


def prune_expired(
    uow_factory: UnitOfWorkFactory,
    retention_days: int,
    now: datetime,
    *,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
) -> int:
    """Delete audit entries older than the retention period; returns how many."""
    cutoff = now - timedelta(days=retention_days)
    pruned = 0
    for _ in range(max_batches):
        with uow_factory() as uow:
            deleted = uow.audit.prune_before(cutoff, keep_actions=KEPT_ACTIONS, limit=batch)
        pruned += deleted
        if deleted < batch:
            break
    return pruned
