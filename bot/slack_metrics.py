"""Counts every Slack Web API answer for `/metrics`, as a retry handler that never retries.

slack_sdk asks each of a client's retry handlers, in order, whether to retry after every HTTP answer
(a 200 with its parsed body, an HTTP error such as 429 or 503) and every connection error, until one
says yes. Placed first, this one sees each attempt, so a 429 that a later handler waits out and
retries still counts, and then it lets the real handlers decide.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.metrics import record_slack_answer, slack_outcome


class SlackAnswerCounter(RetryHandler):
    def __init__(self) -> None:
        super().__init__(max_retry_count=0)

    def can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = request.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "unknown"
        body: Any = response.body if response is not None else None
        slack_error = body.get("error") if isinstance(body, dict) and body.get("ok") is False else None
        record_slack_answer(method, slack_outcome(response.status_code if response is not None else None, slack_error))
        return False
