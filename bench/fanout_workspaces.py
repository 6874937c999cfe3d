"""The OAuth install's prompt fan-out: W installed workspaces of N due people each, every workspace
rate-limited on its own (Slack's tiers at their floors, chat.postMessage capped at R per second per
workspace), one fake Slack server in its own process holding all of them (`FakeSlack.add_team`), the
installations in slack_sdk's store with a token each. With `--outage-s S` the first workspace answers
every chat.postMessage with 429 for its first S seconds.

The tick is the real one of an OAuth install: planning once (`plan_tick`), then each workspace's sends
(`send_tick`) concurrently through `bot.delivery.workspaces.for_each_workspace`. Reported per workspace
(the slowest and the fastest, the outage one apart): prompts sent, seconds from the tick's start to the
workspace's last prompt, achieved / allowed chat.postMessage rate over the workspace's own sending time,
duplicates and misses counted from what the fake received (each prompt carries its id in metadata; a
miss is a due prompt not sent by the end of this tick: the next tick would send it).

    .venv/bin/python -m bench.fanout_workspaces --workspaces 20 --people 500 --rate 10 --outage-s 60
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import Engine, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fanout import BATCH, DUE, database, place_due
from bot.delivery.tick import plan_tick, send_tick
from bot.delivery.workspaces import for_each_workspace
from bot.deps import Deps
from bot.oauth import installation_metadata, oauth_settings
from bot.services.tick import TickConfig, TickReport
from bot.settings import Settings
from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack
from frameworks import LibraryHolder, load_library
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade_to_head
from storage.models import Person, Workspace
from storage.uow import UnitOfWorkFactory

CLIENT_ID, CLIENT_SECRET = "1111.2222", "bench-secret"


def _team(n: int) -> str:
    return f"T{n:04d}"


def _user(team: int, n: int) -> str:
    return f"U{team:02d}{n:05d}"


def _serve_fake(conn: Connection, latency_s: float, workspaces: int, people: int) -> None:
    primary = FakeSlack(team_id=_team(0), latency_s=latency_s, record_calls=False).start()
    teams = [primary] + [primary.add_team(_team(n)) for n in range(1, workspaces)]
    for n, team in enumerate(teams):
        team.latency_s = latency_s
        for k in range(people):
            team.add_user(_user(n, k), _user(n, k).lower(), tz="UTC")
    conn.send((primary.api_url, [team.bot_token for team in teams]))
    while True:
        command, argument = conn.recv()
        if command == "tiers":
            for team in teams:
                team.use_rate_tiers(post_per_second=argument)
            conn.send(None)
        elif command == "outage":  # the first workspace refuses every post for `argument` seconds
            teams[0].fail_for("chat.postMessage", argument, status=429)
            conn.send(None)
        elif command == "summary":
            delivered: list[Counter[int]] = []
            for team in teams:
                seen: Counter[int] = Counter()
                for message in team.messages():
                    payload = (message.get("metadata") or {}).get("event_payload") or {}
                    if "prompt_id" in payload:
                        seen[int(payload["prompt_id"])] += 1
                delivered.append(seen)
            conn.send(delivered)
        elif command == "stop":
            primary.stop()
            conn.send(None)
            return


@contextmanager
def fake_slack(latency_s: float, workspaces: int, people: int) -> Iterator[tuple[str, list[str], Connection]]:
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve_fake, args=(child, latency_s, workspaces, people), daemon=True
    )
    process.start()
    try:
        api_url, tokens = parent.recv()
        yield api_url, tokens, parent
    finally:
        parent.send(("stop", None))
        parent.recv()
        process.join(timeout=30)


def seed(engine: Engine, workspaces: int, people: int) -> None:
    """`people` people in each workspace, in UTC, whose Monday 09:00 prompt is due at DUE."""
    with engine.begin() as connection:
        for n in range(workspaces):
            workspace_id = connection.execute(
                insert(Workspace).values(team_id=_team(n), name=f"Bench {n}", created_at=DUE).returning(Workspace.id)
            ).scalar_one()
            rows = [
                {"workspace_id": workspace_id, "slack_user_id": _user(n, k), "display_name": _user(n, k), "tz": "UTC",
                 "active": True, "created_at": DUE, "updated_at": DUE,
                 # as the daily users.list sweep left them: no users.info per prompt
                 "slack_tz": "UTC", "status_text": "", "status_emoji": "", "status_expiration": 0,
                 "slack_deleted": False, "profile_fetched_at": DUE - timedelta(hours=1)}
                for k in range(people)
            ]  # fmt: skip
            for start in range(0, len(rows), BATCH):
                connection.execute(insert(Person), rows[start : start + BATCH])
        place_due(connection, list(connection.execute(select(Person.id).order_by(Person.id)).scalars()))


def install(deps: Deps, tokens: list[str]) -> None:
    """Each workspace's installation, as the OAuth redirect stores it (slack_sdk's Installation)."""
    assert deps.oauth is not None and deps.oauth.installation_store is not None
    for n, token in enumerate(tokens):
        deps.oauth.installation_store.save(
            Installation(
                app_id="A0GROWTH",
                enterprise_id=None,
                team_id=_team(n),
                bot_token=token,
                bot_id="B0BOT",
                bot_user_id="U0BOT",
                bot_scopes="chat:write,im:write,users:read",
                user_id="U0INSTALLER",
                installed_at=datetime.now(UTC).timestamp(),
            )
        )


@dataclass
class WorkspaceResult:
    team_id: str
    sent: int
    to_last_s: float  # from the tick's start to this workspace's last prompt
    sending_s: float  # this workspace's own fan-out, from its plan to its last prompt
    rate_limited: int
    duplicates: int
    misses: int

    def achieved(self, rate: float) -> float:
        return self.sent / self.sending_s / rate if self.sending_s else 0.0


def run(
    backend: str,
    workspaces: int,
    people: int,
    rate: float,
    concurrency: int,
    latency_s: float,
    outage_s: float,
    budget_s: float,
) -> tuple[list[WorkspaceResult], float]:
    with database(backend) as (url, engine):
        upgrade_to_head(engine)
        installation_metadata().create_all(engine)
        seed(engine, workspaces, people)
        with fake_slack(latency_s, workspaces, people) as (api_url, tokens, control):
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                SLACK_CLIENT_ID=CLIENT_ID,
                SLACK_CLIENT_SECRET=CLIENT_SECRET,
                SLACK_API_URL=api_url,
                DATABASE_URL=url,
                GROWTHBOT_FANOUT_CONCURRENCY=str(concurrency),
            )
            origin = time.monotonic()
            bot_engine = make_engine(url, pool_size=max(concurrency, 2 * workspaces) + 8)
            deps = Deps(
                settings=settings,
                uow=UnitOfWorkFactory(make_session_factory(bot_engine)),
                ladders=LibraryHolder(library=load_library()),
                client=make_web_client(settings),
                now=lambda: DUE + timedelta(seconds=time.monotonic() - origin),
            )
            deps.oauth = oauth_settings(settings, bot_engine)
            install(deps, tokens)
            control.send(("tiers", rate))
            control.recv()
            if outage_s:
                control.send(("outage", outage_s))
                control.recv()
            config = TickConfig.from_settings(settings, fanout_budget_s=budget_s)
            started = time.monotonic()
            plan_tick(deps, config=config)
            finished: dict[str, float] = {}

            def sends(scoped: Deps) -> TickReport:
                report = send_tick(scoped, config=replace_concurrency(config, scoped))
                finished[scoped.client.token or ""] = time.monotonic() - started
                return report

            reports = for_each_workspace(deps, sends)
            total_s = time.monotonic() - started
            control.send(("summary", None))
            delivered = control.recv()
            bot_engine.dispose()
    results = []
    for n, token in enumerate(tokens):
        report = reports[_team(n)]
        assert isinstance(report, TickReport), report
        seen = delivered[n]
        results.append(
            WorkspaceResult(
                _team(n),
                report["sent"],
                finished[token],
                report.sends_took_s or 0.0,
                report["rate_limited"],
                sum(k - 1 for k in seen.values() if k > 1),
                people - len(seen),
            )
        )
    return results, total_s


def replace_concurrency(config: TickConfig, scoped: Deps) -> TickConfig:
    """The workspace's share of the fan-out threads (bot.delivery.workspaces put it in its settings)."""
    return replace(config, concurrency=scoped.settings.fanout_concurrency)


def _row(label: str, result: WorkspaceResult, rate: float) -> str:
    return (
        f"| {label} | {result.team_id} | {result.sent:,} | {result.to_last_s:.0f} | {result.sending_s:.0f} | "
        f"{result.achieved(rate):.2f} | {result.rate_limited} | {result.duplicates} | {result.misses} |"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--people", type=int, default=500, help="due people per workspace")
    parser.add_argument("--rate", type=float, default=10.0, help="chat.postMessage cap per second, per workspace")
    parser.add_argument("--concurrency", type=int, default=32, help="GROWTHBOT_FANOUT_CONCURRENCY")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--outage-s", type=float, default=0.0, help="the first workspace answers 429 this long")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--budget-s", type=float, default=600.0, help="the tick's fan-out budget (its default)")
    args = parser.parse_args(argv)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    results, total_s = run(
        args.backend,
        args.workspaces,
        args.people,
        args.rate,
        args.concurrency,
        args.latency_ms / 1000,
        args.outage_s,
        args.budget_s,
    )
    load_after = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{args.workspaces} workspaces x {args.people:,} people due at once, chat.postMessage capped at "
        f"{args.rate:g}/s per workspace (Slack's tier floors otherwise), first workspace 429 for "
        f"{args.outage_s:g} s; {args.backend}; fake Slack latency {args.latency_ms:g} ms; "
        f"GROWTHBOT_FANOUT_CONCURRENCY {args.concurrency}; {os.cpu_count()} CPUs, load {load} at start, "
        f"{load_after} at the end; whole tick {total_s:.0f} s\n"
    )
    print("| workspace | team | sent | to last prompt s | sending s | achieved/allowed | 429s | duplicates | misses |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    first, others = results[0], results[1:] if args.outage_s else results
    if args.outage_s:
        print(_row("429 for the outage", first, args.rate))
    by_ratio = sorted(others, key=lambda r: r.achieved(args.rate))
    print(_row("slowest other" if args.outage_s else "slowest", by_ratio[0], args.rate))
    print(_row("fastest other" if args.outage_s else "fastest", by_ratio[-1], args.rate))
    print(
        f"| all {len(others)} {'others' if args.outage_s else ''} | | {sum(r.sent for r in others):,} | "
        f"{max(r.to_last_s for r in others):.0f} | | min {by_ratio[0].achieved(args.rate):.2f} | "
        f"{sum(r.rate_limited for r in others)} | {sum(r.duplicates for r in others)} | "
        f"{sum(r.misses for r in others)} |"
    )


if __name__ == "__main__":
    main()
