"""Pre-1:1 digests at Slack's tier floors: N 1:1s whose digests fall due in the same minute (their
meetings two hours later), the fake Slack limiting every method at its tier floor and chat.postMessage
at 1/s per channel plus R/s workspace-wide (`FakeSlack.use_rate_tiers`).

Each digest is the manager's DM and the report's preview, each posted to the user id (no
conversations.open, Tier 3: at 50 a minute, two per digest made 25 digests a minute), four digests in
flight through the paced caller. Reported: time to the last digest, digests sent, how many were
sent after their meeting would have started (missed), Slack calls per digest and 429s.

    .venv/bin/python bench/digest_fanout.py --pairs 200 --rate 20
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.delivery.digests import tick_digests
from bot.deps import Deps
from bot.services.one_on_ones import schedule
from bot.services.slots import Slot
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack
from frameworks import LibraryHolder, load_library
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Cadence, ManagerLink, ManagerLinkStatus, Person, Placement, Workspace
from storage.uow import UnitOfWorkFactory

SET_UP = datetime(2024, 1, 3, 12, 0)
MEETING = datetime(2024, 1, 8, 10, 0)  # Monday 10:00 UTC
LADDER = "luko-execution"
LEVELS = {"delivery": "1", "communication": "1", "quality": "1", "optimisation": "1"}


def populate(uow_factory: UnitOfWorkFactory, fake: FakeSlack, pairs: int) -> None:
    with uow_factory() as uow:
        workspace = Workspace(team_id="T0001", name="Bench")
        uow.session.add(workspace)
        uow.session.flush()
        for n in range(pairs):
            manager = Person(workspace_id=workspace.id, slack_user_id=f"UM{n:04d}", display_name=f"m{n}", tz="UTC")
            report = Person(workspace_id=workspace.id, slack_user_id=f"UR{n:04d}", display_name=f"r{n}", tz="UTC")
            uow.session.add_all([manager, report])
            uow.session.flush()
            fake.add_user(manager.slack_user_id, manager.display_name or "", tz="UTC")
            fake.add_user(report.slack_user_id, report.display_name or "", tz="UTC")
            uow.session.add(
                Placement(person_id=report.id, framework_id=LADDER, levels=LEVELS, reason="setup", started_at=SET_UP)
            )
            uow.session.add(
                ManagerLink(
                    person_id=report.id, manager_id=manager.id, status=ManagerLinkStatus.ACTIVE, created_at=SET_UP
                )
            )
            uow.session.flush()
            schedule(uow, manager=manager, report=report, slot=Slot(0, clock_time(10, 0), Cadence.WEEKLY), now=SET_UP)


def run(pairs: int, rate: float, latency_s: float) -> str:
    with tempfile.TemporaryDirectory() as directory, FakeSlack(latency_s=latency_s, record_calls=False) as fake:
        url = f"sqlite:///{directory}/digests.db"
        engine = make_engine(url)
        upgrade_to_head(engine)
        uow_factory = UnitOfWorkFactory(make_session_factory(engine))
        populate(uow_factory, fake, pairs)
        fake.use_rate_tiers(post_per_second=rate)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, SLACK_BOT_TOKEN=fake.bot_token, SLACK_API_URL=fake.api_url, DATABASE_URL=url
        )
        due = MEETING - timedelta(hours=2)
        origin = time.monotonic()
        deps = Deps(
            settings=settings,
            uow=uow_factory,
            ladders=LibraryHolder(library=load_library()),
            client=make_web_client(settings),
            now=lambda: due + timedelta(seconds=time.monotonic() - origin),
        )
        calls_before = sum(fake.counts.values())
        started = time.perf_counter()
        report = tick_digests(deps, deps.now())
        took = time.perf_counter() - started
        calls = sum(fake.counts.values()) - calls_before
        late = 0 if took < 2 * 3600 else report.sent
        engine.dispose()
    per_digest = calls / report.sent if report.sent else 0.0
    return (
        f"| {pairs} | {rate:g}/s | {took:.0f} | {report.sent} | {report.skipped} | {late} | {per_digest:.2f} | "
        f"{len(report.errors)} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--rate", type=float, nargs="+", default=[20.0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args(argv)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{args.pairs} digests due in one minute at Slack's tier floors; {os.cpu_count()} CPUs, load {load}\n")
    print("| 1:1s | postMessage cap | to last digest s | sent | skipped | after their 1:1 | calls/digest | errors |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for rate in args.rate:
        print(run(args.pairs, rate, args.latency_ms / 1000), flush=True)


if __name__ == "__main__":
    main()
