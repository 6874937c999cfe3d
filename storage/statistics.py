"""The SQLite planner's table statistics, refreshed when a process starts and now and then by the tick.

PostgreSQL needs none of this: autovacuum analyses tables as they change. The evidence reads no longer
depend on these statistics for their plan (their only indexes lead with the person, see
tests/storage/test_query_plans.py); everything else still plans better with statistics that follow
the data, and an install-time ANALYZE of the empty database would otherwise stay for good.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

# Rows ANALYZE reads per index: approximate statistics in milliseconds, even at millions of rows.
ANALYSIS_LIMIT = 1000
REFRESH_EVERY_S = 6 * 3600
# Since 3.46, `PRAGMA optimize` checks every table (0x10000), not only those this connection used.
_OPTIMIZE_CHECKS_ALL_TABLES = sqlite3.sqlite_version_info >= (3, 46)

_refreshed_at: WeakKeyDictionary[Engine, float] = WeakKeyDictionary()
_lock = threading.Lock()


def refresh_statistics(engine: Engine) -> None:
    """On SQLite, bring the planner's statistics up to date, bounded by `ANALYSIS_LIMIT`."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        if _OPTIMIZE_CHECKS_ALL_TABLES:
            connection.exec_driver_sql("PRAGMA optimize=0x10002")  # only the tables that changed enough
        else:
            connection.exec_driver_sql("ANALYZE")
    with _lock:
        _refreshed_at[engine] = time.monotonic()


def refresh_statistics_if_due(engine: Engine, every_s: float = REFRESH_EVERY_S) -> bool:
    """`refresh_statistics` when this process last did it more than `every_s` ago (or never); True if it ran."""
    if engine.dialect.name != "sqlite":
        return False
    with _lock:
        last = _refreshed_at.get(engine)
        if last is not None and time.monotonic() - last < every_s:
            return False
        _refreshed_at[engine] = time.monotonic()  # one caller at a time refreshes
    refresh_statistics(engine)
    return True
