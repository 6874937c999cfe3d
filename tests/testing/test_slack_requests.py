"""Signed requests reach a real Bolt app served over HTTP; bad signatures and stale timestamps do not."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient

from bot.slack_client import make_web_client
from bot.testing.fake_slack import FakeSlack
from bot.testing.http_server import serve_bolt_app
from bot.testing.slack_requests import InvalidAckView, SlackRequests

SIGNING_SECRET = "test-signing-secret"


@dataclass
class Seen:
    commands: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    submissions: list[dict[str, Any]] = field(default_factory=list)
    closed: list[dict[str, Any]] = field(default_factory=list)
    shortcuts: list[dict[str, Any]] = field(default_factory=list)
    messages: list[tuple[dict[str, Any], str | None, str | None]] = field(default_factory=list)


def tiny_app(client: WebClient, seen: Seen) -> App:
    # process_before_response: listeners finish before the HTTP answer, so tests need no waiting.
    app = App(
        client=client, signing_secret=SIGNING_SECRET, token_verification_enabled=False, process_before_response=True
    )

    @app.command("/ladder")
    def ladder(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack(f"got {command['text']}")
        seen.commands.append(command)
        if command["text"] == "log":
            client.views_open(
                trigger_id=command["trigger_id"],
                view={
                    "type": "modal",
                    "callback_id": "log_modal",
                    "title": {"type": "plain_text", "text": "Log"},
                    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Log it"}}],
                },
            )
        respond("working on it")

    @app.action("done")
    def done(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        seen.actions.append(body)
        respond(text="Marked done", replace_original=True)

    @app.view("log_modal")
    def submitted(ack: Ack, view: dict[str, Any]) -> None:
        value = view["state"]["values"]["what"]["text"]["value"]
        if not value:
            ack(response_action="errors", errors={"what": "Tell us what you did"})
            return
        ack()
        seen.submissions.append(view)

    @app.view("answers_with")
    def answers_with(ack: Ack, view: dict[str, Any]) -> None:
        """Acks with the response_action named in the private metadata, to check the ack is held to Slack's rules."""
        section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
        title = {"type": "plain_text", "text": "Fine"}
        answers: dict[str, dict[str, Any]] = {
            "ok": {"response_action": "update", "view": {"type": "modal", "title": title, "blocks": [section]}},
            "too_many_blocks": {
                "response_action": "push",
                "view": {"type": "modal", "title": title, "blocks": [section] * 101},
            },
            "long_title": {
                "response_action": "update",
                "view": {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": [section]},
            },
            "no_submit": {
                "response_action": "update",
                "view": {"type": "modal", "title": title, "blocks": [_input("what")]},
            },
            "errors_elsewhere": {"response_action": "errors", "errors": {"nowhere": "Pick one."}},
            "errors_ok": {"response_action": "errors", "errors": {"what": "Pick one."}},
        }
        ack(**answers[view["private_metadata"]])

    @app.view_closed("log_modal")
    def closed(ack: Ack, view: dict[str, Any]) -> None:
        ack()
        seen.closed.append(view)

    @app.shortcut("save_as_evidence")
    def shortcut(ack: Ack, shortcut: dict[str, Any]) -> None:
        ack()
        seen.shortcuts.append(shortcut)

    @app.event("message")
    def message(event: dict[str, Any], request: BoltRequest) -> None:
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        reason = request.headers.get("x-slack-retry-reason", [None])[0]
        seen.messages.append((event, retry, reason))

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(
            user_id=event["user"],
            view={"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]},
        )

    return app


def _input(block_id: str) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": "What"},
        "element": {"type": "plain_text_input", "action_id": "text"},
    }


@dataclass
class Harness:
    fake: FakeSlack
    slack: SlackRequests
    seen: Seen


@pytest.fixture
def harness(fake_slack: FakeSlack) -> Iterator[Harness]:
    fake_slack.add_user("U1", "ada")
    seen = Seen()
    url, stop = serve_bolt_app(tiny_app(make_web_client(fake_slack.bot_token, fake_slack.api_url), seen))
    try:
        yield Harness(fake_slack, SlackRequests(url, SIGNING_SECRET, fake_slack), seen)
    finally:
        stop()


def test_signed_slash_command_reaches_the_handler(harness: Harness) -> None:
    response = harness.slack.slash_command("U1", "log")
    assert response.status == 200
    assert "got log" in response.text
    assert harness.seen.commands[0]["user_id"] == "U1"
    assert harness.fake.opened_views[0]["callback_id"] == "log_modal"
    assert harness.fake.response_url_posts[0].body["text"] == "working on it"
    assert harness.fake.response_url_posts[0].url == response.sent["response_url"]


def test_bad_signature_is_rejected_with_401(harness: Harness) -> None:
    response = harness.slack.slash_command("U1", "hello", bad_signature=True)
    assert response.status == 401
    assert harness.seen.commands == []


def test_stale_timestamp_is_rejected_with_401(harness: Harness) -> None:
    response = harness.slack.slash_command("U1", "hello", timestamp=int(time.time()) - 600)
    assert response.status == 401
    assert harness.seen.commands == []


def test_unsigned_raw_post_is_rejected(harness: Harness) -> None:
    assert harness.slack.post("{}", "application/json", sign=False).status == 401


def test_event_with_retry_headers_reaches_bolt(harness: Harness) -> None:
    event = {"type": "message", "user": "U1", "text": "shipped", "ts": "1.000001", "channel": "DU1"}
    first = harness.slack.event(event, event_id="Ev1")
    retry = harness.slack.event(event, event_id="Ev1", retry_num=1, retry_reason="http_timeout")
    assert (first.status, retry.status) == (200, 200)
    assert [(e["text"], n, r) for e, n, r in harness.seen.messages] == [
        ("shipped", None, None),
        ("shipped", "1", "http_timeout"),
    ]
    assert first.sent["event_id"] == retry.sent["event_id"] == "Ev1"


def test_thread_reply_message_event_is_recorded_in_the_fake(harness: Harness) -> None:
    client = make_web_client(harness.fake.bot_token, harness.fake.api_url)
    posted = client.chat_postMessage(channel="U1", text="What did you ship?")
    harness.slack.message_event("U1", "A migration", thread_ts=posted["ts"])
    event = harness.seen.messages[0][0]
    assert (event["thread_ts"], event["parent_user_id"]) == (posted["ts"], harness.fake.bot_user_id)
    assert [m["text"] for m in harness.fake.thread(posted["channel"], posted["ts"])] == [
        "What did you ship?",
        "A migration",
    ]


def test_block_action_replaces_the_message_through_response_url(harness: Harness) -> None:
    client = make_web_client(harness.fake.bot_token, harness.fake.api_url)
    button = {"type": "button", "text": {"type": "plain_text", "text": "Done"}, "action_id": "done", "value": "42"}
    posted = client.chat_postMessage(
        channel="U1", text="Prompt", blocks=[{"type": "actions", "block_id": "prompt", "elements": [button]}]
    )
    message = harness.fake.messages(posted["channel"])[0]
    assert harness.slack.block_action("U1", "done", "42", message=message).status == 200
    action = harness.seen.actions[0]["actions"][0]
    assert (action["block_id"], action["value"], action["type"]) == ("prompt", "42", "button")
    assert harness.fake.messages(posted["channel"])[0]["text"] == "Marked done"


def test_view_submission_errors_and_success(harness: Harness) -> None:
    empty = {"what": {"text": {"type": "plain_text_input", "value": ""}}}
    response = harness.slack.view_submission("U1", "log_modal", empty)
    assert response.json() == {"response_action": "errors", "errors": {"what": "Tell us what you did"}}
    filled = {"what": {"text": {"type": "plain_text_input", "value": "Led the incident review"}}}
    assert harness.slack.view_submission("U1", "log_modal", filled, private_metadata='{"p": 1}').status == 200
    assert harness.seen.submissions[0]["private_metadata"] == '{"p": 1}'


def test_view_closed_and_message_shortcut(harness: Harness) -> None:
    assert harness.slack.view_closed("U1", "log_modal").status == 200
    assert len(harness.seen.closed) == 1
    message = {"type": "message", "user": "U1", "text": "I fixed the flaky test", "ts": "1700000000.000900"}
    assert harness.slack.message_shortcut("U1", "save_as_evidence", message, "C1").status == 200
    assert harness.seen.shortcuts[0]["message"]["text"] == "I fixed the flaky test"


def test_app_home_opened_publishes_home(harness: Harness) -> None:
    assert harness.slack.app_home_opened("U1").status == 200
    assert harness.fake.views_published["U1"]["type"] == "home"


def test_url_verification(harness: Harness) -> None:
    assert harness.slack.url_verification("abc").json() == {"challenge": "abc"}


@pytest.mark.parametrize("answer", ["too_many_blocks", "long_title", "no_submit", "errors_elsewhere"])
def test_a_response_action_slack_would_refuse_fails_the_request(harness: Harness, answer: str) -> None:
    submitted = {"type": "modal", "callback_id": "answers_with", "blocks": [_input("what")], "private_metadata": answer}
    with pytest.raises(InvalidAckView):
        harness.slack.view_submission("U1", "answers_with", {}, private_metadata=answer, view=submitted)


@pytest.mark.parametrize("answer", ["ok", "errors_ok"])
def test_a_response_action_within_slacks_rules_passes(harness: Harness, answer: str) -> None:
    submitted = {"type": "modal", "callback_id": "answers_with", "blocks": [_input("what")], "private_metadata": answer}
    response = harness.slack.view_submission("U1", "answers_with", {}, private_metadata=answer, view=submitted)
    assert response.status == 200 and response.json()["response_action"] in ("update", "errors")
