"""make_web_client: the retry handlers slack_sdk does not install by default, proven against the fake."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.settings import Settings, SettingsError
from bot.slack_client import make_web_client
from bot.slack_metrics import SlackAnswerCounter
from bot.testing.clients import fast_retry_client
from bot.testing.fake_slack import FakeSlack


def handler_counts(client: object) -> dict[type, int]:
    return {type(handler): handler.max_retry_count for handler in client.retry_handlers}  # type: ignore[attr-defined]


def test_installs_all_three_retry_handlers_with_counts() -> None:
    client = make_web_client("xoxb-x", "http://127.0.0.1:1/api", rate_limit_retries=7, server_error_retries=3)
    assert handler_counts(client) == {
        SlackAnswerCounter: 0,  # counts answers for /metrics, never retries
        ConnectionErrorRetryHandler: 1,
        RateLimitErrorRetryHandler: 7,
        ServerErrorRetryHandler: 3,
    }
    assert client.base_url == "http://127.0.0.1:1/api/"
    assert client.timeout == 10


def test_accepts_settings() -> None:
    settings = Settings(SLACK_BOT_TOKEN="xoxb-settings", SLACK_API_URL="http://127.0.0.1:2/api/")
    client = make_web_client(settings)
    assert (client.token, client.base_url) == ("xoxb-settings", "http://127.0.0.1:2/api/")
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN"):
        make_web_client(Settings())


def test_talks_to_the_fake(fake_slack: FakeSlack) -> None:
    client = make_web_client(fake_slack.bot_token, fake_slack.api_url)
    assert client.auth_test()["bot_id"] == fake_slack.bot_id


def test_500_then_success_is_retried(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("auth.test", status=500)
    assert fast_retry_client(fake_slack).auth_test()["ok"]
    assert [call.status for call in fake_slack.calls("auth.test")] == [500, 200]


def test_without_retries_the_error_surfaces(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("auth.test", status=503)
    with pytest.raises(SlackApiError) as excinfo:
        make_web_client(fake_slack.bot_token, fake_slack.api_url, server_error_retries=0).auth_test()
    assert excinfo.value.response.status_code == 503
