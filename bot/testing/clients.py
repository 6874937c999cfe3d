"""WebClients for tests that talk to a ``FakeSlack``."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack


def fast_retry_client(fake: FakeSlack, **options: object) -> WebClient:
    """``make_web_client`` for ``fake`` with a 10 ms back-off between 5xx retries (429s still wait)."""
    return make_web_client(
        fake.bot_token, fake.api_url, retry_interval=FixedValueRetryIntervalCalculator(0.01), **options
    )  # type: ignore[arg-type]
