"""`GET /metrics` end to end: a prompt sent through a 429, a command and a capture (their answers posted to
response_url counted too), then one scrape."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.serving import make_server

from bot import scheduler
from bot.app import create_app
from bot.server import create_flask_app
from bot.slack_client import make_web_client
from bot.testing.slack_requests import SlackRequests
from tests.conftest import Database
from tests.delivery.world import World, make_world
from tests.listeners.harness import TrackingExecutor

MONDAY_SLOT = datetime(2024, 1, 8, 9, 0)  # Monday 10:00 in Paris
EVIDENCE_TEXT = "Ran the zebra-migration rehearsal end to end"


@pytest.fixture
def world(sqlite_db: Database) -> Iterator[World]:
    with make_world(sqlite_db) as made:
        yield made


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _before(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_after_a_prompt_a_429_and_a_command(world: World) -> None:
    world.person("U1")
    # One token a second on chat.postMessage, spent here: the tick's post meets a 429 and waits it out.
    world.fake.rate_limit("chat.postMessage", per_second=1, burst=1)
    world.fake.add_user("UX", "x")
    make_web_client(world.fake.bot_token, world.fake.api_url).chat_postMessage(channel="UX", text="spend the token")
    watched = {
        "429": ("growthbot_slack_api_calls_total", {"method": "chat.postMessage", "outcome": "429"}),
        "ok": ("growthbot_slack_api_calls_total", {"method": "chat.postMessage", "outcome": "ok"}),
        "answers": ("growthbot_slack_api_calls_total", {"method": "response_url", "outcome": "ok"}),
        "sent": ("growthbot_prompts_total", {"outcome": "sent"}),
        "planned": ("growthbot_prompts_total", {"outcome": "planned"}),
        "lag": ("growthbot_prompt_claim_lag_seconds_count", {}),
        "tick": ("growthbot_tick_duration_seconds_count", {}),
        "ack": ("growthbot_slack_ack_seconds_count", {"kind": "slash_command"}),
        "evidence": ("growthbot_evidence_captured_total", {"source": "command"}),
    }
    before = {key: _before(name, **labels) for key, (name, labels) in watched.items()}

    world.at(MONDAY_SLOT)
    scheduler.tick(world.deps)
    assert len(world.dm("U1")) == 1

    executor = TrackingExecutor()
    flask_app = create_flask_app(create_app(world.deps, listener_executor=executor), world.deps)
    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        requests = SlackRequests(base + "/slack/events", "secret", world.fake, team_id="T0001")
        assert requests.slash_command("U1", "help").status == 200
        assert requests.slash_command("U1", f"log {EVIDENCE_TEXT}").status == 200
        executor.settle()
        world.deps.followups.shutdown(wait=True)
        with urllib.request.urlopen(base + "/metrics", timeout=10) as answer:
            assert answer.status == 200
            assert answer.headers["Content-Type"].startswith("text/plain")
            scraped = answer.read().decode()
    finally:
        server.shutdown()

    samples = _samples(scraped)
    after = {key: samples.get((name, frozenset(labels.items())), 0.0) for key, (name, labels) in watched.items()}
    grew = {key: after[key] - before[key] for key in watched}
    assert all(value >= 1 for value in grew.values()), grew
    assert samples[("growthbot_tick_last_run_timestamp_seconds", frozenset())] > time.time() - 600
    # No label carries a person's id or what they wrote.
    labels = {value for _name, pairs in samples for _key, value in pairs}
    assert not any("U1" in value or "zebra" in value for value in labels), labels


def test_a_multiprocess_directory_not_created_yet_is_created(tmp_path: Path) -> None:
    directory = tmp_path / "run" / "metrics"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    code = "from bot import metrics; metrics.record_evidence('command'); print(metrics.exposition()[0].decode())"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert 'growthbot_evidence_captured_total{source="command"} 1.0' in done.stdout
    assert list(directory.glob("counter_*.db"))
