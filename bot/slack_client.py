"""The project's one way to build a ``slack_sdk.WebClient``.

Everything that calls Slack (Bolt app, scheduler, CLI, benchmarks) gets its client here, so retries
behave the same everywhere and tests point it at the fake with ``api_url``. The client reuses kept-alive
connections (``bot.slack_http.PooledWebClient``, one pool per process), not one connection per call.
"""

from __future__ import annotations

import functools

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator

from bot.settings import DEFAULT_SLACK_API_URL, Settings
from bot.slack_http import PooledWebClient
from bot.slack_metrics import SlackAnswerCounter


def make_web_client(
    token: str | Settings,
    api_url: str | None = None,
    *,
    rate_limit_retries: int = 5,
    server_error_retries: int = 2,
    connection_error_retries: int = 1,
    timeout: int = 10,
    retry_interval: RetryIntervalCalculator | None = None,
) -> WebClient:
    """A WebClient for ``api_url`` that retries rate limits, 500/503 answers and dropped connections.

    slack-facts, "Rate limits": over the limit Slack answers HTTP 429 with ``Retry-After``; slack_sdk's
    ``RateLimitErrorRetryHandler`` honours it but is NOT installed by default (``default_retry_handlers()``
    holds only the connection-error handler) and retries once unless ``max_retry_count`` is raised.
    So all three built-in handlers are installed here with explicit counts.

    ``token`` may be the typed ``Settings``; then ``api_url`` defaults to ``settings.slack_api_url``.
    ``retry_interval`` is the back-off between 5xx / connection retries (slack_sdk's exponential
    back-off with jitter by default); 429 retries always wait for ``Retry-After``.

    slack_sdk counts attempts across handlers in one ``RetryState``: each handler stops once the
    request's total retries reach its own maximum.
    """
    if isinstance(token, Settings):
        if not token.oauth_install:  # an OAuth install's tokens come from its installation store
            token.require("slack_bot_token")
        api_url = api_url or token.slack_api_url
        token = token.slack_bot_token
    api_url = api_url or DEFAULT_SLACK_API_URL
    interval = {"interval_calculator": retry_interval} if retry_interval is not None else {}
    return PooledWebClient(
        token=token,
        base_url=api_url if api_url.endswith("/") else api_url + "/",
        timeout=timeout,
        retry_handlers=[
            SlackAnswerCounter(),  # first: counts every answer for /metrics, retries nothing (bot/slack_metrics.py)
            ConnectionErrorRetryHandler(max_retry_count=connection_error_retries, **interval),
            RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
            ServerErrorRetryHandler(max_retry_count=server_error_retries, **interval),
        ],
    )


def posting_once(client: WebClient) -> WebClient:
    """A client like ``client`` (same token and Slack) that sends a message at most once: no retry after a
    5xx answer or a connection dropped mid-call, because Slack may have posted it anyway (a 429 is still
    retried: over the limit, Slack did nothing). For posts whose failure is made good later by looking
    for the message first (the confirmation sweep), where a blind retry would post it twice."""
    return _posting_once(client.token or "", client.base_url)


@functools.lru_cache(maxsize=256)
def _posting_once(token: str, base_url: str) -> WebClient:
    return make_web_client(token, base_url, server_error_retries=0, connection_error_retries=0)
