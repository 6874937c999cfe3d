"""How fast `/ladder next` is acknowledged AND answered under load, quiet and during a fan-out.

Builds a database through the real migrations (1,000 people on the bundled ladders, 50,000 evidence
items tagged with behaviours), starts a fake Slack, then sends signed `/ladder next` slash commands
from a separate load-generator process (bench/ack/load.py) to

1. `growthbot serve --no-scheduler` (gunicorn gthread workers + Bolt's Flask adapter: production), and
2. bench/ack/bare_app.py (a Bolt app whose `/ladder` listener only acks, on the same stack),

open loop at the rates a workspace produces (default 20/s and 100/s) and at saturation (closed loop,
64 clients). Then 5,000 more people whose prompt is due now are added and a fresh `growthbot serve`
WITH its scheduler (with several workers, the tick runs in its own process: bot/ticker.py) is
measured at the same rates while that fan-out runs.

Ack = the HTTP answer Slack waits for (3 s at most). Answer = from when the command was sent (open
loop: when it was due) to the fake Slack's receipt of the answer posted to its response_url, i.e.
what the person waits for. A full answer queue answers "busy, try again" instead (counted apart).
Prints the tables; nothing is asserted.

    .venv/bin/python bench/ack/run.py
    .venv/bin/python bench/ack/run.py --rate 20 --rate 100 --seconds 15 --fanout-people 5000 --workers 2

The fake Slack runs in this process on the same CPUs: it receives and validates every answer posted
to response_url and, during the fan-out, every users.info and chat.postMessage, work real Slack does
elsewhere.
"""

from __future__ import annotations

import argparse
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bench.ack import load  # noqa: E402
from bench.ack.seed import TEAM_ID, seed, seed_due  # noqa: E402
from bot.cli.run import serve as serve_command  # noqa: E402
from bot.testing.fake_slack import FakeSlack  # noqa: E402
from bot.testing.fake_slack.records import ResponseUrlPost  # noqa: E402

SECRET = "bench-signing-secret"
# Both apps run with what `growthbot serve` uses when given no options (unless --workers/--threads say).
SERVE_DEFAULTS = {option.name: option.default for option in serve_command.params}


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


def signed_commands(
    fake: FakeSlack, user_ids: list[str], count: int, rng: random.Random
) -> tuple[list[tuple[bytes, dict]], list[str]]:
    """`/ladder next` from random people, signed now (valid for Slack's 5 minutes); and their response_urls."""
    verifier = SignatureVerifier(SECRET)
    requests, urls = [], []
    for _ in range(count):
        user_id = rng.choice(user_ids)
        response_url = fake.new_response_url(channel_id="D" + user_id, user_id=user_id)
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
                "response_url": response_url,
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
        urls.append(response_url)
    return requests, urls


@dataclass(frozen=True)
class Load:
    """Open loop at `rate` requests/s for `seconds`, or closed loop with `clients` (saturation)."""

    rate: float | None = None
    seconds: float = 0.0
    clients: int = 0
    requests: int = 0

    @property
    def label(self) -> str:
        return f"{self.rate:g}/s open" if self.rate else f"{self.clients} clients"

    @property
    def count(self) -> int:
        return round(self.rate * self.seconds) if self.rate else self.requests


def drive(address: str, requests: list[tuple[bytes, dict]], shape: Load) -> tuple[list[load.Outcome], float]:
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    if shape.rate:
        worker = context.Process(target=load.open_loop, args=(address, requests, shape.rate, send))
    else:
        worker = context.Process(target=load.closed_loop, args=(address, requests, shape.clients, send))
    worker.start()
    outcomes, seconds = receive.recv()
    worker.join()
    return outcomes, seconds


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] * 1000, 1)


@dataclass
class Result:
    app: str
    phase: str
    shape: Load
    acks: list[float]
    errors: int
    seconds: float
    answers: list[float] = field(default_factory=list)
    busy: int = 0
    missing: int = 0
    prompts_during: int = 0

    def ack(self, q: float) -> float:
        return _percentile(self.acks, q)

    def answer(self, q: float) -> float:
        return _percentile(self.answers, q)

    @property
    def rate(self) -> float:
        return len(self.acks) / self.seconds


def _answers(
    fake: FakeSlack, urls: list[str], outcomes: list[load.Outcome], timeout: float
) -> tuple[list[float], int, int]:
    """(answer latencies in s, busy replies, requests never answered) once every answer arrived or `timeout` passed."""
    sent_at = {urls[index]: sent for index, sent, _ack, _status in outcomes}
    deadline = time.monotonic() + timeout
    while True:
        first: dict[str, ResponseUrlPost] = {}
        for post in fake.response_url_posts:
            if post.url in sent_at and post.url not in first:
                first[post.url] = post
        if len(first) >= len(sent_at) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    busy = [post for post in first.values() if "busy right now" in json.dumps(post.body)]
    latencies = [post.at - sent_at[url] for url, post in first.items() if post not in busy]
    return latencies, len(busy), len(sent_at) - len(first)


def measure(
    name: str,
    phase: str,
    address: str,
    shape: Load,
    fake: FakeSlack,
    users: list[str],
    rng: random.Random,
    *,
    warmup: int,
    answered: bool,
    clear: bool = True,
) -> Result:
    """A short closed-loop warm-up, then the measured load; for growthbot, wait for every answer."""
    if clear:
        fake.clear()
    if warmup:
        warm, warm_urls = signed_commands(fake, users, warmup, rng)
        outcomes, _ = drive(address, warm, Load(clients=16, requests=warmup))
        if answered:
            _answers(fake, warm_urls, outcomes, timeout=60)
        if clear:
            fake.clear()
    requests, urls = signed_commands(fake, users, shape.count, rng)
    prompts_before = fake.count("chat.postMessage")
    outcomes, seconds = drive(address, requests, shape)
    prompts = fake.count("chat.postMessage") - prompts_before
    result = Result(
        name,
        phase,
        shape,
        [ack for _index, _sent, ack, _status in outcomes],
        sum(1 for *_rest, status in outcomes if status != 200),
        seconds,
        prompts_during=prompts,
    )
    if answered:
        result.answers, result.busy, result.missing = _answers(fake, urls, outcomes, timeout=120)
    return result


# What in a server's log explains a request that got no HTTP answer.
TROUBLE = ("WORKER TIMEOUT", "Traceback", "Worker exiting", "[ERROR]", "[CRITICAL]", " ERROR ")


def _server_trouble(log_path: Path) -> str:
    """A sentence on the server log's worker restarts and errors during the run, or "" when none."""
    lines = [line for line in log_path.read_text(errors="replace").splitlines() if any(t in line for t in TROUBLE)]
    if not lines:
        return ""
    return f" Server log: {len(lines)} line(s) of trouble, the first: {lines[0].strip()[:300]}"


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


def _wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


# ---------------------------------------------------------------------------------------------------
# The report


def report(results: list[Result], header: str, fanout_note: str) -> None:
    print(header + "\n")
    print("| app | phase | load | ack p50 ms | ack p99 ms | ack max ms | answer p50 ms | answer p99 ms "
          "| answer max ms | busy | unanswered | req/s | errors |")  # fmt: skip
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        answered = r.app == "growthbot"
        answer = (
            f"{r.answer(50):.0f} | {r.answer(99):.0f} | {max(r.answers, default=0) * 1000:.0f} | {r.busy} | {r.missing}"
            if answered
            else "- | - | - | - | -"
        )
        print(
            f"| {r.app} | {r.phase} | {r.shape.label} | {r.ack(50):.1f} | {r.ack(99):.1f} | {max(r.acks) * 1000:.1f} "
            f"| {answer} | {r.rate:.0f} | {r.errors} |"
        )
    by_key = {(r.app, r.phase, r.shape.label): r for r in results}
    print("\n| load | ack p99 ours/bare (quiet) | ack p99 fan-out/quiet | answer p99 quiet ms | answer p99 fan-out ms "
          "| prompts sent during the fan-out run |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        if r.app != "growthbot" or r.phase != "quiet":
            continue
        bare = by_key.get(("bare ack", "quiet", r.shape.label))
        busy = by_key.get(("growthbot", "fan-out", r.shape.label))
        ratio = f"{r.ack(99) / bare.ack(99):.2f}" if bare else "-"
        during = f"{busy.ack(99) / r.ack(99):.2f}" if busy else "-"
        answer_busy = f"{busy.answer(99):.0f}" if busy else "-"
        prompts = f"{busy.prompts_during:,}" if busy else "-"
        print(f"| {r.shape.label} | {ratio} | {during} | {r.answer(99):.0f} | {answer_busy} | {prompts} |")
    if fanout_note:
        print("\n" + fanout_note)
    print(
        json.dumps(
            {
                f"{r.app}/{r.phase}/{r.shape.label}": {
                    "ack_p99_ms": round(r.ack(99), 1),
                    "answer_p99_ms": round(r.answer(99)),
                }
                for r in results
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--evidence", type=int, default=50_000)
    parser.add_argument("--rate", type=float, action="append", help="open-loop requests/s (default: 20 and 100)")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each open-loop run (default 15)")
    parser.add_argument("--saturation", type=int, default=3_000, help="closed-loop requests at 64 clients (0: none)")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests before each run")
    parser.add_argument("--fanout-people", type=int, default=5_000, help="people due in the fan-out run (0: none)")
    workers, threads = SERVE_DEFAULTS["workers"], SERVE_DEFAULTS["threads"]
    parser.add_argument("--workers", type=int, default=workers, help=f"gunicorn workers (default {workers}, as serve)")
    parser.add_argument(
        "--threads", type=int, default=threads, help=f"threads per worker (default {threads}, as serve)"
    )
    parser.add_argument("--database-url", help="an EMPTY database to fill (default: a temporary SQLite file)")
    parser.add_argument("--fake-nice", type=int, default=10, help="OS niceness of the fake Slack (0: none)")
    args = parser.parse_args()
    loads = [Load(rate=rate, seconds=args.seconds) for rate in (args.rate or [20.0, 100.0])]
    if args.saturation:
        loads.append(Load(clients=64, requests=args.saturation))
    rng = random.Random(4)
    load_before = os.getloadavg()[0]
    results: list[Result] = []
    fanout_note = ""

    with tempfile.TemporaryDirectory(prefix="growthbot-bench-ack-") as tmp, start_fake(args.fake_nice) as fake:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        started = time.perf_counter()
        users = seed(url, args.people, args.evidence, rng)
        seeded = time.perf_counter() - started
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "GROWTHBOT_", "DATABASE_"))}
        env.update(fake.env(SECRET), DATABASE_URL=url, LOG_LEVEL="WARNING")
        workers = ["--workers", str(args.workers), "--threads", str(args.threads)]
        growthbot = [str(Path(sys.executable).with_name("growthbot")), "serve", "--host", "127.0.0.1", *workers]

        growthbot_port, bare_port = _free_port(), _free_port()
        bare_app = [sys.executable, str(ROOT / "bench/ack/bare_app.py"), "--port", str(bare_port), *workers]
        quiet = [*growthbot, "--port", str(growthbot_port), "--no-scheduler"]
        with (
            server(quiet, env, growthbot_port, Path(tmp) / "ours.log") as ours_address,
            server(bare_app, env, bare_port, Path(tmp) / "bare.log") as bare_address,
        ):
            # Alternate the two apps at each load so drift in machine load hits both alike.
            for shape in loads:
                results.append(
                    measure(
                        "growthbot", "quiet", ours_address, shape, fake, users, rng, warmup=args.warmup, answered=True
                    )
                )
                results.append(
                    measure(
                        "bare ack", "quiet", bare_address, shape, fake, users, rng, warmup=args.warmup, answered=False
                    )
                )

        if args.fanout_people:
            fake.clear()
            port = _free_port()
            ticking = [*growthbot, "--port", str(port)]
            with server(ticking, env, port, Path(tmp) / "fanout.log") as address:
                # Its first tick ran at start with nothing due. Warm the workers up, then make 5,000 people
                # due: the next tick (within a minute) fans out to them while the load runs.
                warm, warm_urls = signed_commands(fake, users, args.warmup, rng)
                _answers(fake, warm_urls, drive(address, warm, Load(clients=16, requests=args.warmup))[0], 60)
                due = seed_due(url, args.fanout_people, first_id=args.people + 1)
                for slack_id in due:
                    fake.add_user(slack_id, slack_id.lower(), tz="UTC")
                if not _wait_for(lambda: fake.count("chat.postMessage") > 0, timeout=120):
                    raise SystemExit(f"the fan-out never started; see {Path(tmp) / 'fanout.log'}")
                begun = time.monotonic()
                # The rates people produce, fastest first, while the fan-out runs (no saturation run: the
                # point is how a normal load fares beside a tick).
                for shape in sorted((s for s in loads if s.rate), key=lambda s: -(s.rate or 0)):
                    results.append(
                        measure(
                            "growthbot",
                            "fan-out",
                            address,
                            shape,
                            fake,
                            users,
                            rng,
                            warmup=0,
                            answered=True,
                            clear=False,
                        )
                    )
                done = _wait_for(lambda: fake.count("chat.postMessage") >= args.fanout_people, timeout=600)
                took = time.monotonic() - begun
                counts = fake.counts
                fanout_note = (
                    f"Fan-out: {args.fanout_people:,} people due; {counts.get('chat.postMessage', 0):,} prompts sent "
                    f"{'in' if done else 'and not finished after'} {took:.0f} s from its first post (users.info "
                    f"{counts.get('users.info', 0):,}, conversations.open {counts.get('conversations.open', 0):,})."
                    + _server_trouble(Path(tmp) / "fanout.log")
                )

    header = (
        f"{args.people:,} people, {args.evidence:,} evidence items (seeded in {seeded:.1f} s); `/ladder next`; "
        f"open loop {args.seconds:g} s per rate, saturation {args.saturation:,} requests at 64 clients, "
        f"{args.warmup:,} warm-up each; gunicorn {args.workers} workers x {args.threads} threads; "
        f"{os.cpu_count()} CPUs; 1-min load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    report(results, header, fanout_note)


if __name__ == "__main__":
    main()
