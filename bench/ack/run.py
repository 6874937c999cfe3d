"""How fast `/ladder next` is acknowledged under load, against a Bolt app that only acks.

Builds a database through the real migrations (1,000 people on the bundled ladders, 50,000 evidence
items tagged with behaviours), starts a fake Slack, then:

1. `growthbot serve` (gunicorn gthread workers + Bolt's Flask adapter: the production stack), and
2. bench/ack/bare_app.py (a Bolt app whose `/ladder` listener only acks, on the same stack),

and sends each one signed `/ladder next` slash commands from a separate load-generator process at
each concurrency (persistent connections, one per client thread). Latency is the time to the HTTP
answer, i.e. the ack Slack waits for (3 s at most). Prints p50/p99 and the ratio ours/bare; nothing
is asserted.

    .venv/bin/python bench/ack/run.py                      # 16 and 64 concurrent clients
    .venv/bin/python bench/ack/run.py --requests 5000 --concurrency 16 --concurrency 64 --workers 2

The fake Slack runs in this process on the same CPUs: for growthbot it also receives and validates
every answer posted to response_url after the ack, work real Slack would do elsewhere.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from slack_sdk.signature import SignatureVerifier  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from bot.cli.run import serve as serve_command  # noqa: E402
from bot.testing.fake_slack import FakeSlack  # noqa: E402
from frameworks import Framework, load_library  # noqa: E402
from frameworks.lookups import next_milestone  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.migrate import upgrade_to_head  # noqa: E402
from storage.models import (  # noqa: E402
    Evidence,
    EvidenceSource,
    EvidenceTag,
    Person,
    Placement,
    PromptSchedule,
    Workspace,
)

SECRET = "bench-signing-secret"
TEAM_ID = "T0001"
LADDERS = ("luko-execution", "vio-execution", "attest-engineering", "flow")
NOW = datetime(2026, 6, 1, 9, 0)
BATCH = 5_000
# Both apps run with what `growthbot serve` uses when given no options (unless --workers/--threads say).
SERVE_DEFAULTS = {option.name: option.default for option in serve_command.params}


# ---------------------------------------------------------------------------------------------------
# The database


def _batched(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def seed(url: str, people: int, evidence: int, rng: random.Random) -> list[str]:
    """A migrated database with `people` set-up people and `evidence` tagged items; their Slack ids."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    library = load_library()
    ladders: list[Framework] = [library[name] for name in LADDERS]
    person_rows, placement_rows, schedule_rows, evidence_rows, tag_rows = [], [], [], [], []
    per_person = evidence // people
    evidence_id = tag_id = 0
    for n in range(1, people + 1):
        framework = ladders[n % len(ladders)]
        base = rng.choice(framework.levels[:-1]).id
        levels = {area.id: base for area in framework.areas}
        person_rows.append(
            {
                "id": n,
                "workspace_id": 1,
                "slack_user_id": f"U{n:06d}",
                "display_name": f"Person {n}",
                "tz": "Europe/Paris",
                "active": True,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        placement_rows.append(
            {"person_id": n, "framework_id": framework.id, "levels": levels, "started_at": NOW, "reason": "setup"}
        )
        schedule_rows.append(
            {
                "person_id": n,
                "weekday": n % 5,
                "local_time": clock_time(10, 0),
                "cadence": "weekly",
                "paused": False,
                "next_due_at": NOW + timedelta(days=7),
                "updated_at": NOW,
            }
        )
        upcoming = list(next_milestone(framework, levels).behaviours) or list(framework.behaviours)
        everything = list(framework.behaviours)
        for k in range(per_person + (1 if n <= evidence % people else 0)):
            evidence_id += 1
            created = NOW - timedelta(days=k * 3, hours=rng.randrange(24))
            evidence_rows.append(
                {
                    "id": evidence_id,
                    "person_id": n,
                    "text": f"Evidence {k} of person {n}: shipped something.",
                    "source": EvidenceSource.MODAL.value,
                    "created_at": created,
                    "to_discuss": False,
                }
            )
            pool = upcoming if rng.random() < 0.6 else everything
            for behaviour in rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 2)))):
                tag_id += 1
                tag_rows.append(
                    {
                        "id": tag_id,
                        "evidence_id": evidence_id,
                        "person_id": n,
                        "framework_id": framework.id,
                        "framework_version": framework.version,
                        "behaviour_id": behaviour.id,
                        "area_id": behaviour.area_id,
                        "level_id": behaviour.level_id,
                        "behaviour_text": behaviour.text,
                        "created_at": created,
                    }
                )
    with engine.begin() as connection:
        connection.execute(insert(Workspace), [{"id": 1, "team_id": TEAM_ID, "created_at": NOW}])
        for model, rows in (
            (Person, person_rows),
            (Placement, placement_rows),
            (PromptSchedule, schedule_rows),
            (Evidence, evidence_rows),
            (EvidenceTag, tag_rows),
        ):
            for batch in _batched(rows):
                connection.execute(insert(model), batch)
    engine.dispose()
    return [row["slack_user_id"] for row in person_rows]


# ---------------------------------------------------------------------------------------------------
# The servers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(command: list[str], env: dict[str, str], port: int, log_path: Path) -> Iterator[str]:
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=log_path.parent, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"server did not start; see {log_path}:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.1)
            yield f"127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


# ---------------------------------------------------------------------------------------------------
# The load


def signed_commands(fake: FakeSlack, user_ids: list[str], count: int, rng: random.Random) -> list[tuple[bytes, dict]]:
    """`/ladder next` from random people, signed now (valid for Slack's 5 minutes)."""
    verifier = SignatureVerifier(SECRET)
    requests = []
    for _ in range(count):
        user_id = rng.choice(user_ids)
        body = urlencode(
            {
                "token": "x",
                "team_id": TEAM_ID,
                "team_domain": "bench",
                "channel_id": "D" + user_id,
                "channel_name": "directmessage",
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": "/ladder",
                "text": "next",
                "api_app_id": fake.app_id,
                "is_enterprise_install": "false",
                "response_url": fake.new_response_url(channel_id="D" + user_id, user_id=user_id),
                "trigger_id": fake.new_trigger_id(user_id),
            }
        )
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
        }
        requests.append((body.encode(), headers))
    return requests


def _load(address: str, requests: list[tuple[bytes, dict]], concurrency: int, out: Any) -> None:
    """Load-generator process: `concurrency` threads with keep-alive connections; sends back the results."""
    host, port = address.split(":")
    counter = itertools.count()
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[tuple[float, int]] = []
        while (index := next(counter)) < len(requests):
            body, headers = requests[index]
            started = time.perf_counter()
            try:
                connection.request("POST", "/slack/events", body, headers)
                answer = connection.getresponse()
                answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                status = 0
            mine.append((time.perf_counter() - started, status))
        connection.close()
        with lock:
            for latency, status in mine:
                latencies.append(latency)
                statuses.append(status)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.send((latencies, statuses, time.perf_counter() - started))
    out.close()


@dataclass
class Result:
    app: str
    concurrency: int
    latencies: list[float]
    errors: int
    seconds: float

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


def drive(address: str, requests: list[tuple[bytes, dict]], concurrency: int) -> tuple[list[float], int, float]:
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_load, args=(address, requests, concurrency, send))
    worker.start()
    latencies, statuses, seconds = receive.recv()
    worker.join()
    return latencies, sum(1 for status in statuses if status != 200), seconds


def wait_for_answers(fake: FakeSlack, expected: int, timeout: float = 120) -> int:
    """Let growthbot finish the work it does after each ack before the next run starts."""
    deadline = time.monotonic() + timeout
    while len(fake.response_url_posts) < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return len(fake.response_url_posts)


def measure(
    name: str,
    address: str,
    concurrency: int,
    fake: FakeSlack,
    users: list[str],
    args: argparse.Namespace,
    rng: random.Random,
) -> tuple[Result, str | None]:
    """One warm-up and one measured run; for growthbot, wait until every answer has been posted."""
    ours = name == "growthbot"
    fake.clear()
    drive(address, signed_commands(fake, users, args.warmup, rng), concurrency)
    wait_for_answers(fake, args.warmup if ours else 0)
    fake.clear()
    latencies, errors, seconds = drive(address, signed_commands(fake, users, args.requests, rng), concurrency)
    if not ours:
        return Result(name, concurrency, latencies, errors, seconds), None
    drained = time.perf_counter()
    answered = wait_for_answers(fake, args.requests)
    drained = time.perf_counter() - drained
    valid = sum(1 for post in fake.response_url_posts if post.status == 200)
    note = (
        f"c={concurrency}: {answered:,}/{args.requests:,} answers posted to response_url ({valid:,} valid), "
        f"the last {drained:.1f} s after the last ack"
    )
    return Result(name, concurrency, latencies, errors, seconds), note


def start_fake(niceness: int) -> FakeSlack:
    """Start the fake Slack from a thread at lower OS priority: its server threads inherit it (Linux
    keeps a nice value per thread), so Slack's side of the work, which real Slack does elsewhere,
    disturbs the servers being measured less."""
    fake = FakeSlack(record_calls=False)

    def start() -> None:
        if niceness:
            me = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, me, os.getpriority(os.PRIO_PROCESS, me) + niceness)
        fake.start()

    starter = threading.Thread(target=start)
    starter.start()
    starter.join()
    return fake


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--evidence", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=3_000, help="measured requests per run (default 3000)")
    parser.add_argument("--warmup", type=int, default=300, help="unmeasured requests before each run")
    parser.add_argument("--concurrency", type=int, action="append", help="clients (default: 16 and 64)")
    workers, threads = SERVE_DEFAULTS["workers"], SERVE_DEFAULTS["threads"]
    parser.add_argument("--workers", type=int, default=workers, help=f"gunicorn workers (default {workers}, as serve)")
    parser.add_argument(
        "--threads", type=int, default=threads, help=f"threads per worker (default {threads}, as serve)"
    )
    parser.add_argument("--database-url", help="an EMPTY database to fill (default: a temporary SQLite file)")
    parser.add_argument("--fake-nice", type=int, default=10, help="OS niceness of the fake Slack (0: none)")
    args = parser.parse_args()
    args.concurrency = args.concurrency or [16, 64]
    rng = random.Random(4)
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory(prefix="growthbot-bench-ack-") as tmp, start_fake(args.fake_nice) as fake:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        users = seed(url, args.people, args.evidence, rng)
        seeded = time.perf_counter() - started
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "GROWTHBOT_", "DATABASE_"))}
        env.update(fake.env(SECRET), DATABASE_URL=url, LOG_LEVEL="WARNING")
        workers = ["--workers", str(args.workers), "--threads", str(args.threads)]

        growthbot_port, bare_port = _free_port(), _free_port()
        growthbot = [str(Path(sys.executable).with_name("growthbot")), "serve", "--host", "127.0.0.1"]
        growthbot += ["--port", str(growthbot_port), *workers, "--no-scheduler"]
        bare_app = [sys.executable, str(ROOT / "bench/ack/bare_app.py"), "--port", str(bare_port), *workers]
        ours, bare, notes = [], [], []
        with (
            server(growthbot, env, growthbot_port, Path(tmp) / "ours.log") as ours_address,
            server(bare_app, env, bare_port, Path(tmp) / "bare.log") as bare_address,
        ):
            # Alternate the two apps at each concurrency so drift in machine load hits both alike.
            for concurrency in args.concurrency:
                result, note = measure("growthbot", ours_address, concurrency, fake, users, args, rng)
                ours.append(result)
                notes.append(note or "")
                bare.append(measure("bare ack", bare_address, concurrency, fake, users, args, rng)[0])

    print(
        f"{args.people:,} people, {args.evidence:,} evidence items (seeded in {seeded:.1f} s); "
        f"{args.requests:,} `/ladder next` per run after {args.warmup:,} warm-up; gunicorn "
        f"{args.workers} workers x {args.threads} threads; {os.cpu_count()} CPUs; "
        f"1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after\n"
    )
    print("| app | clients | p50 ms | p99 ms | max ms | req/s | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for result in [*ours, *bare]:
        print(
            f"| {result.app} | {result.concurrency} | {result.percentile(50):.1f} | {result.percentile(99):.1f} "
            f"| {max(result.latencies) * 1000:.1f} | {result.rate:.0f} | {result.errors} |"
        )
    print("\n| clients | p50 ours/bare | p99 ours/bare |")
    print("|---:|---:|---:|")
    for mine, base in zip(ours, bare, strict=True):
        print(
            f"| {mine.concurrency} | {mine.percentile(50) / base.percentile(50):.2f} "
            f"| {mine.percentile(99) / base.percentile(99):.2f} |"
        )
    print()
    for note in notes:
        print(note)
    print(json.dumps({"p99_ms": {f"{r.app}@{r.concurrency}": round(r.percentile(99), 1) for r in ours + bare}}))


if __name__ == "__main__":
    main()
