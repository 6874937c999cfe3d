"""Slack-signed HTTP requests to a running Bolt app: slash commands, interactions and Events API.

    requests = SlackRequests("http://127.0.0.1:PORT/slack/events", "secret", fake)
    response = requests.slash_command("U1", "log shipped the thing")
    assert response.status == 200

Signatures follow slack-facts, "Request verification": ``X-Slack-Signature`` = ``v0=`` + HMAC-SHA256 of
``v0:{timestamp}:{raw body}``, computed with ``slack_sdk.signature.SignatureVerifier``. With a
``FakeSlack``, trigger_ids and response_urls are minted by the fake so ``views.open`` and ``respond()``
work end to end.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.services.text import escape
from bot.testing import block_rules
from bot.testing.fake_slack import FakeSlack

VERIFICATION_TOKEN = "legacy-verification-token"


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: dict[str, Any] = field(default_factory=dict)
    """The payload that was sent (slash command fields, interaction payload or event envelope)."""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _find_element(blocks: list[Any], action_id: str) -> tuple[str | None, dict[str, Any] | None]:
    for block in blocks:
        if not isinstance(block, dict):
            continue
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return block.get("block_id"), element
    return None, None


class InvalidAckView(AssertionError):
    """The app acknowledged a view submission with a ``response_action`` real Slack would refuse."""


def check_ack(response: Response) -> Response:
    """Hold a view submission's ack to Slack's rules (bot.testing.block_rules.response_action_errors),
    as the fake holds views.update and views.push, so a modal flow that passes here works in Slack."""
    if response.sent.get("type") != "view_submission" or response.status != 200 or not response.body.strip():
        return response
    try:
        answer = response.json()
    except ValueError:
        return response
    errors = block_rules.response_action_errors(answer, response.sent.get("view"))
    if errors:
        raise InvalidAckView(f"Slack would refuse this response_action: {errors}")
    return response


class SlackRequests:
    """Sends what Slack would send to the app at ``url``, signed with ``signing_secret``. A view
    submission's ack with a ``response_action`` Slack would refuse raises `InvalidAckView`."""

    def __init__(
        self,
        url: str,
        signing_secret: str,
        fake: FakeSlack | None = None,
        *,
        team_id: str | None = None,
        api_app_id: str | None = None,
        timeout: float = 10.0,
        enterprise_id: str | None = None,
    ) -> None:
        self.url = url
        self.signing_secret = signing_secret
        self.fake = fake
        self.team_id = team_id or (fake.team_id if fake else "T0001")
        self.api_app_id = api_app_id or (fake.app_id if fake else "A0GROWTH")
        self.team_domain = fake.team_domain if fake else "growthbot-test"
        self.bot_user_id = fake.bot_user_id if fake else "U0BOT"
        self.timeout = timeout
        # Set: requests from a workspace of this Enterprise Grid organisation, to an org-wide install.
        self.enterprise_id = enterprise_id
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ transport

    def signed_headers(self, body: str, *, timestamp: int | None = None, bad_signature: bool = False) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        secret = self.signing_secret + "-wrong" if bad_signature else self.signing_secret
        signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}

    def post(
        self,
        body: str | bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        *,
        sign: bool = True,
        timestamp: int | None = None,
        bad_signature: bool = False,
        sent: dict[str, Any] | None = None,
    ) -> Response:
        """POST a raw body; signed unless ``sign=False`` (``headers`` are added last and win)."""
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        all_headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
        if sign:
            all_headers.update(self.signed_headers(text, timestamp=timestamp, bad_signature=bad_signature))
        all_headers.update(headers or {})
        request = urllib.request.Request(self.url, data=text.encode("utf-8"), headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return Response(
                    answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read(), sent or {}
                )
        except urllib.error.HTTPError as error:
            return Response(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read(), sent or {})

    def _post_form(self, fields: dict[str, Any], **options: Any) -> Response:
        return self.post(urlencode(fields), "application/x-www-form-urlencoded", sent=fields, **options)

    def _post_payload(self, payload: dict[str, Any], **options: Any) -> Response:
        body = urlencode({"payload": json.dumps(payload)})
        return check_ack(self.post(body, "application/x-www-form-urlencoded", sent=payload, **options))

    # ------------------------------------------------------------------ payload pieces

    def _trigger_id(self, user_id: str) -> str:
        if self.fake is not None:
            return self.fake.new_trigger_id(user_id)
        return f"{next(self._ids)}.{self.team_id}.{secrets.token_hex(16)}"

    def _response_url(self, *, channel_id: str | None, message_ts: str | None, user_id: str) -> str:
        if self.fake is not None:
            return self.fake.new_response_url(channel_id=channel_id, message_ts=message_ts, user_id=user_id)
        return f"https://hooks.slack.com/actions/{self.team_id}/{next(self._ids)}/{secrets.token_hex(12)}"

    def _user(self, user_id: str) -> dict[str, Any]:
        return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": self.team_id}

    def _team(self) -> dict[str, Any]:
        return {"id": self.team_id, "domain": self.team_domain}

    def _interaction(self, kind: str, user_id: str) -> dict[str, Any]:
        return {
            "type": kind,
            "team": self._team(),
            "user": self._user(user_id),
            "api_app_id": self.api_app_id,
            "token": VERIFICATION_TOKEN,
            "enterprise": {"id": self.enterprise_id, "name": "Growthbot Org"} if self.enterprise_id else None,
            "is_enterprise_install": bool(self.enterprise_id),
        }

    def _view(self, view: dict[str, Any] | None, **fields: Any) -> dict[str, Any]:
        base = {
            "id": f"V{next(self._ids):09d}",
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": {"type": "plain_text", "text": "Growthbot"},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "root_view_id": None,
            "app_id": self.api_app_id,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.fake.bot_id if self.fake else "B0BOT",
        }
        base.update(view or {})
        base.update({key: value for key, value in fields.items() if value is not None})
        base["root_view_id"] = base["root_view_id"] or base["id"]
        return base

    # ------------------------------------------------------------------ slash commands and interactions

    def slash_command(
        self,
        user_id: str,
        text: str,
        command: str = "/ladder",
        channel_id: str | None = None,
        **options: Any,
    ) -> Response:
        channel_id = channel_id or "D" + user_id
        fields = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": "directmessage" if channel_id.startswith("D") else "general",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            **({"enterprise_id": self.enterprise_id, "enterprise_name": "Growthbot Org"} if self.enterprise_id else {}),
            "is_enterprise_install": "true" if self.enterprise_id else "false",
            "response_url": self._response_url(channel_id=channel_id, message_ts=None, user_id=user_id),
            "trigger_id": self._trigger_id(user_id),
        }
        return self._post_form(fields, **options)

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        *,
        block_id: str | None = None,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        channel_id: str | None = None,
        action: dict[str, Any] | None = None,
        state_values: dict[str, Any] | None = None,
        **options: Any,
    ) -> Response:
        """A click on ``action_id`` in ``message`` (a dict from ``fake.messages()``) or ``view``.

        ``block_id`` and the element's type and text are looked up in the message or view blocks when
        not given; ``action`` overrides fields of the action (e.g. ``selected_option`` for a select).
        """
        blocks = (message or view or {}).get("blocks") or []
        found_block_id, element = _find_element(blocks, action_id)
        element = element or {"type": "button", "text": {"type": "plain_text", "text": action_id}}
        clicked: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id or found_block_id or "block",
            "type": element.get("type", "button"),
            "action_ts": f"{time.time():.6f}",
        }
        if "text" in element:
            clicked["text"] = element["text"]
        if value is not None:
            clicked["value"] = value
        clicked.update(action or {})
        payload = self._interaction("block_actions", user_id)
        payload.update(trigger_id=self._trigger_id(user_id), actions=[clicked])
        payload["state"] = {"values": state_values or {}}
        if view is not None:
            full_view = self._view(view)
            if state_values is not None:
                full_view["state"] = {"values": state_values}
            payload["view"] = full_view
            payload["container"] = container or {"type": "view", "view_id": full_view["id"]}
        else:
            message = message or {"type": "message", "ts": f"{time.time():.6f}", "text": "", "blocks": blocks}
            channel_id = channel_id or message.get("channel") or "D" + user_id
            payload["container"] = container or {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel_id, "name": "directmessage" if channel_id.startswith("D") else ""}
            payload["message"] = {k: v for k, v in message.items() if k != "channel"}
            payload["response_url"] = self._response_url(
                channel_id=channel_id, message_ts=message["ts"], user_id=user_id
            )
        return self._post_payload(payload, **options)

    def view_submission(
        self,
        user_id: str,
        callback_id: str | None,
        state_values: dict[str, Any],
        private_metadata: str | None = None,
        view_id: str | None = None,
        *,
        view: dict[str, Any] | None = None,
        **options: Any,
    ) -> Response:
        """Submit a modal; ``view`` may be the one the fake recorded (``fake.opened_views[-1]``)."""
        full_view = self._view(
            view, id=view_id, callback_id=callback_id, private_metadata=private_metadata, state={"values": state_values}
        )
        payload = self._interaction("view_submission", user_id)
        payload.update(trigger_id=self._trigger_id(user_id), view=full_view, response_urls=[])
        return self._post_payload(payload, **options)

    def block_suggestion(
        self,
        user_id: str,
        action_id: str,
        value: str,
        *,
        view: dict[str, Any] | None = None,
        block_id: str | None = None,
        **options: Any,
    ) -> Response:
        """The person typed ``value`` into the external select ``action_id`` of ``view`` (e.g. the one the
        fake recorded); the app answers with ``options`` or ``option_groups`` in the HTTP response."""
        full_view = self._view(view)
        found_block_id, _ = _find_element(full_view.get("blocks") or [], action_id)
        payload = self._interaction("block_suggestion", user_id)
        payload.update(
            action_id=action_id,
            block_id=block_id or found_block_id or "block",
            value=value,
            container={"type": "view", "view_id": full_view["id"]},
            view=full_view,
        )
        return self._post_payload(payload, **options)

    def view_closed(
        self,
        user_id: str,
        callback_id: str | None,
        private_metadata: str | None = None,
        view_id: str | None = None,
        *,
        view: dict[str, Any] | None = None,
        is_cleared: bool = False,
        **options: Any,
    ) -> Response:
        full_view = self._view(view, id=view_id, callback_id=callback_id, private_metadata=private_metadata)
        payload = self._interaction("view_closed", user_id)
        payload.update(view=full_view, is_cleared=is_cleared)
        return self._post_payload(payload, **options)

    def message_shortcut(
        self,
        user_id: str,
        callback_id: str,
        message: dict[str, Any],
        channel_id: str | None = None,
        *,
        raw_text: bool = False,
        **options: Any,
    ) -> Response:
        """A message shortcut on ``message``, whose ``text`` is what its author typed.

        Slack sends message text with ``&``, ``<`` and ``>`` escaped, so the text is escaped here too;
        ``raw_text=True`` sends it as given, for text already in Slack's form (a real mention such as
        ``<@U123>`` next to an escaped ``&amp;``, or a message read back from the fake).
        """
        channel_id = channel_id or message.get("channel") or "D" + user_id
        message = {k: v for k, v in message.items() if k != "channel"}
        if not raw_text and isinstance(message.get("text"), str):
            message["text"] = escape(message["text"])
        payload = self._interaction("message_action", user_id)
        payload.update(
            callback_id=callback_id,
            trigger_id=self._trigger_id(user_id),
            action_ts=f"{time.time():.6f}",
            channel={"id": channel_id, "name": "directmessage" if channel_id.startswith("D") else ""},
            message_ts=message["ts"],
            message=message,
            response_url=self._response_url(channel_id=channel_id, message_ts=None, user_id=user_id),
        )
        return self._post_payload(payload, **options)

    # ------------------------------------------------------------------ Events API

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        **options: Any,
    ) -> Response:
        """An Events API ``event_callback``; a retry repeats ``event_id`` with the retry headers.

        slack-facts, "Time limits": unacknowledged events are redelivered with ``X-Slack-Retry-Num`` and
        ``X-Slack-Retry-Reason`` (bolt-python #845, #868).
        """
        envelope = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):010d}",
            "event_time": int(time.time()),
            **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
            "authorizations": [
                {
                    "enterprise_id": self.enterprise_id,
                    "team_id": None if self.enterprise_id else self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": bool(self.enterprise_id),
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-{secrets.token_hex(8)}",
        }
        headers = dict(options.pop("headers", None) or {})
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return self.post(json.dumps(envelope), "application/json", headers, sent=envelope, **options)

    def url_verification(self, challenge: str = "challenge-token", **options: Any) -> Response:
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return self.post(json.dumps(body), "application/json", sent=body, **options)

    def app_home_opened(self, user_id: str, *, view: dict[str, Any] | None = None, **options: Any) -> Response:
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": "D" + user_id,
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        }
        if view is not None:
            event["view"] = view
        return self.event(event, **options)

    def message_event(
        self,
        user_id: str,
        text: str,
        *,
        channel: str | None = None,
        thread_ts: str | None = None,
        ts: str | None = None,
        channel_type: str = "im",
        record: bool = True,
        raw_text: bool = False,
        **options: Any,
    ) -> Response:
        """A person's message (by default in their DM with the bot; ``thread_ts`` for a thread reply).

        ``text`` is what the person typed; like Slack, the event carries it with ``&``, ``<`` and ``>``
        escaped. ``raw_text=True`` sends it as given, for text already in Slack's form (a real mention
        ``<@U123>`` or link ``<https://...>`` next to escaped characters).
        With a fake and ``record=True`` the message is also stored in the fake, as Slack would hold it.
        """
        text = text if raw_text else escape(text)
        channel = channel or (self.fake.dm_channel_for(user_id) if self.fake else "D" + user_id)
        if self.fake is not None and record:
            ts = self.fake.add_message(channel, user_id, text, thread_ts=thread_ts, ts=ts)
        ts = ts or f"{time.time():.6f}"
        event: dict[str, Any] = {
            "type": "message",
            "user": user_id,
            "text": text,
            "ts": ts,
            "channel": channel,
            "channel_type": channel_type,
            "event_ts": ts,
            "team": self.team_id,
            "client_msg_id": secrets.token_hex(16),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
            parents = [m for m in self.fake.messages(channel) if m["ts"] == thread_ts] if self.fake else []
            event["parent_user_id"] = parents[0].get("user") if parents else self.bot_user_id
        return self.event(event, **options)
