"""The fake Slack Web API, the signed-request factory and pytest fixtures around them.

The implementations live in ``bot.testing`` (the offline demo uses them too); this module re-exports
them for tests and defines fixtures. Use the fixtures from a test module or a conftest with:

    from tests.fakes import fake_slack, slack_client, slack_env  # noqa: F401

or ``pytest_plugins = ["tests.fakes"]`` in the top-level conftest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.slack_client import make_web_client
from bot.testing.fake_slack import Call, FakeSlack, Reaction, ResponseUrlPost, SlackError, UploadedFile
from bot.testing.http_server import serve_bolt_app
from bot.testing.slack_requests import Response, SlackRequests

__all__ = [
    "SIGNING_SECRET",
    "Call",
    "FakeSlack",
    "Reaction",
    "Response",
    "ResponseUrlPost",
    "SlackError",
    "SlackRequests",
    "UploadedFile",
    "fake_slack",
    "fast_retry_client",
    "serve_bolt_app",
    "slack_client",
    "slack_env",
]

SIGNING_SECRET = "test-signing-secret"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A started fake Slack with fresh state for this test."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def slack_client(fake_slack: FakeSlack) -> WebClient:
    """The project's WebClient (``make_web_client``) pointed at ``fake_slack``."""
    return make_web_client(fake_slack.bot_token, fake_slack.api_url)


def fast_retry_client(fake: FakeSlack, **options: object) -> WebClient:
    """``make_web_client`` for ``fake`` with a 10 ms back-off between 5xx retries (429s still wait)."""
    return make_web_client(
        fake.bot_token, fake.api_url, retry_interval=FixedValueRetryIntervalCalculator(0.01), **options
    )  # type: ignore[arg-type]


@pytest.fixture
def slack_env(fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """SLACK_* environment variables pointing at ``fake_slack`` (for CLI and settings tests)."""
    env = fake_slack.env(SIGNING_SECRET)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env
