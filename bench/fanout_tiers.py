"""Prompt fan-out at Slack's real rate tiers: N people due in one minute, every method at its tier floor
(Tier 2 20/min, Tier 3 50/min, Tier 4 100/min) and chat.postMessage at 1/s per channel plus a
workspace-wide cap of R per second (bench/fanout.py's fake Slack in its own process, `use_rate_tiers`).

Steady state: each person's Slack profile is stored (kept fresh by user_change events and the daily
users.list sweep), so a prompt needs no users.info; a first prompt goes to the user id (no
conversations.open). `--profiles unknown`: nothing stored, every prompt asks users.info (Tier 4) first,
as before stored profiles. `--history`: a week of prompts was sent before (unanswered), so each new
prompt also closes the previous one's buttons with chat.update (Tier 3), after the window's posts, up
to the tick's bound; `--close-ticks N` then runs up to N more ticks, a minute apart, and reports how
many closes are still pending after them and how long they took.

Reported: the tick's plan (prompts due, expected seconds to the last at the pace it knew), time to the
last prompt (planning included), prompts/s over that time, achieved / allowed chat.postMessage rate,
Slack calls per prompt (429s excluded), 429s, duplicates and misses from what the fake received, CPU
of the bot process per delivered prompt, and peak RSS.

    .venv/bin/python bench/fanout_tiers.py --people 10000 --rate 50
    .venv/bin/python bench/fanout_tiers.py --people 2000 --rate 20 --history
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fanout import DUE, database, fake_slack, seed
from bot.delivery.fanout import fanout_client
from bot.delivery.tick import deliver_due
from bot.deps import Deps
from bot.services.planning import plan_due
from bot.services.prompt_closes import count_pending
from bot.services.tick import TickConfig, TickReport
from bot.settings import Settings
from bot.slack_client import make_web_client
from frameworks import LibraryHolder, load_library
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Person
from storage.uow import UnitOfWorkFactory

WEEK = timedelta(days=7)


@dataclass
class Result:
    people: int
    rate: float
    profiles: str
    history: bool
    planned: int
    expected_s: float | None
    plan_s: float
    deliver_s: float  # to the last prompt (closing earlier prompts' buttons comes after)
    sent: int
    calls: int
    rate_limited: int
    duplicates: int
    misses: int
    cpu_s: float
    rss_peak_mb: float
    closed: int = 0  # replaced prompts still to be closed after the tick (the next ticks take them)
    close_ticks: int = 0  # further ticks run for the closes
    closed_later: int = 0  # still pending after them
    close_ticks_s: float = 0.0

    @property
    def to_last_s(self) -> float:
        return self.plan_s + self.deliver_s

    @property
    def per_second(self) -> float:
        return self.sent / self.to_last_s if self.to_last_s else 0.0

    @property
    def achieved_ratio(self) -> float:
        return (self.sent / self.deliver_s) / self.rate if self.deliver_s else 0.0


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _store_profiles(engine: object, fetched_at: object) -> None:
    with engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(
            update(Person).values(slack_tz="UTC", status_text="", status_emoji="", status_expiration=0,
                                  slack_deleted=False, profile_fetched_at=fetched_at)
        )  # fmt: skip


def run(
    people: int,
    rate: float,
    concurrency: int,
    latency_s: float,
    profiles: str,
    history: bool,
    budget_s: float,
    close_ticks: int = 0,
) -> Result:
    with database("sqlite") as (url, engine):
        upgrade_to_head(engine)
        slack_ids = seed(engine, people)
        library = load_library()
        with fake_slack(latency_s, slack_ids) as (api_url, control):
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                SLACK_BOT_TOKEN="xoxb-test",
                SLACK_API_URL=api_url,
                DATABASE_URL=url,
                GROWTHBOT_FANOUT_CONCURRENCY=str(concurrency),
            )
            start_at = [DUE]
            origin = [time.monotonic()]
            deps = Deps(
                settings=settings,
                uow=UnitOfWorkFactory(make_session_factory(make_engine(url, pool_size=concurrency + 4))),
                ladders=LibraryHolder(library=library),
                client=make_web_client(settings),
                now=lambda: start_at[0] + timedelta(seconds=time.monotonic() - origin[0]),
            )
            config = TickConfig.from_settings(settings, fanout_budget_s=budget_s, rate_limit_wait_max_s=120.0)
            if history:  # last week's prompts, sent without limits and left unanswered
                previous = TickReport()
                plan_due(deps.uow, deps.library, config, deps.now(), previous)
                deliver_due(deps, config, previous, instance_id="bench", client=fanout_client(deps))
                start_at[0], origin[0] = DUE + WEEK, time.monotonic()
            if profiles == "stored":  # as the daily sweep left them, an hour before the window
                _store_profiles(engine, start_at[0] - timedelta(hours=1))
            control.send(("tiers", rate))
            control.recv()
            control.send(("counts", None))
            calls_before = sum(control.recv().values())
            report = TickReport()
            cpu_before = _cpu_s()
            started = time.perf_counter()
            plan_due(deps.uow, deps.library, config, deps.now(), report)
            planned = time.perf_counter()
            deliver_due(deps, config, report, instance_id="bench", client=fanout_client(deps))
            cpu = _cpu_s() - cpu_before
            closes_left = count_pending(deps)
            control.send(("counts", None))
            calls = sum(control.recv().values()) - calls_before
            later_ticks, later_left, later_started = 0, closes_left, time.perf_counter()
            while later_left and later_ticks < close_ticks:
                start_at[0] += timedelta(minutes=1)
                deliver_due(deps, config, TickReport(), instance_id="bench", client=fanout_client(deps))
                later_ticks, later_left = later_ticks + 1, count_pending(deps)
            later_s = time.perf_counter() - later_started
            control.send(("summary", None))
            delivered, _ = control.recv()
    weeks = 2 if history else 1
    return Result(
        people=people,
        rate=rate,
        profiles=profiles,
        history=history,
        planned=report.planned_sends,
        expected_s=report.expected_finish_s,
        plan_s=planned - started,
        deliver_s=report.sends_took_s or 0.0,
        closed=closes_left,
        close_ticks=later_ticks,
        closed_later=later_left,
        close_ticks_s=later_s,
        sent=report["sent"],
        calls=calls - report["rate_limited"],
        rate_limited=report["rate_limited"],
        duplicates=sum(n - 1 for n in delivered.values() if n > 1),
        misses=people * weeks - len(delivered),
        cpu_s=cpu,
        rss_peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def _row(result: Result) -> str:
    expected = f"{result.expected_s:.0f}" if result.expected_s is not None else "-"
    calls = result.calls / result.sent if result.sent else 0.0
    cpu_ms = 1000 * result.cpu_s / result.sent if result.sent else 0.0
    later = "-"
    if result.close_ticks:
        later = f"{result.closed_later} after {result.close_ticks} ({result.close_ticks_s:.0f} s)"
    return (
        f"| {result.people:,} | {result.rate:g}/s | {result.profiles} | {'yes' if result.history else 'no'} | "
        f"{result.planned:,} | {expected} | {result.to_last_s:.0f} | {result.per_second:.1f} | "
        f"{result.achieved_ratio:.2f} | {calls:.2f} | {result.rate_limited} | {result.duplicates} | "
        f"{result.misses} | {cpu_ms:.1f} | {result.rss_peak_mb:.0f} | {result.closed} | {later} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--rate", type=float, nargs="+", default=[50.0], help="chat.postMessage cap per second")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--profiles", choices=["stored", "unknown"], default="stored")
    parser.add_argument("--history", action="store_true")
    parser.add_argument("--budget-s", type=float, default=7200.0, help="the tick's fan-out budget")
    parser.add_argument("--close-ticks", type=int, default=0, help="more ticks for the closes left (--history)")
    args = parser.parse_args(argv)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{args.people:,} people due in one minute at Slack's tier floors; fake Slack latency "
        f"{args.latency_ms:g} ms; {args.concurrency} workers; {os.cpu_count()} CPUs, load {load} at start\n"
    )
    print(
        "| people | postMessage cap | profiles | history | planned | expected s | to last prompt s | prompts/s "
        "| achieved/allowed | calls/prompt | 429s | duplicates | misses | CPU ms/prompt | peak RSS MB "
        "| closes left | closes left after more ticks |"
    )
    print("|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rate in args.rate:
        latency_s = args.latency_ms / 1000
        result = run(
            args.people, rate, args.concurrency, latency_s, args.profiles, args.history, args.budget_s, args.close_ticks
        )
        print(_row(result), flush=True)


if __name__ == "__main__":
    main()
