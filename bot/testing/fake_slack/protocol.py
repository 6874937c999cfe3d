"""The Web API's wire format as the fake speaks it: error answers, replies, and argument parsing."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP as HTTP_POLICY
from typing import Any
from urllib.parse import parse_qsl

# The bot token's scopes, sent as X-OAuth-Scopes and named in missing_scope answers.
SCOPES = (
    "chat:write,chat:write.public,commands,im:write,im:history,users:read,users:read.email,"
    "users.profile:read,reactions:write,files:write,team:read,channels:read"
)
_JSON_PARAMS = ("blocks", "attachments", "view", "files", "metadata")


class SlackError(Exception):
    """A Slack error answer: HTTP 200 with ``{"ok": false, "error": ...}`` plus any extra fields."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    @classmethod
    def json(cls, status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> Reply:
        error = None if data.get("ok", True) else data.get("error")
        all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        return cls(status, json.dumps(data).encode("utf-8"), all_headers, error)

    @classmethod
    def text(cls, status: int, text: str) -> Reply:
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8"})

    @classmethod
    def slack_error(cls, error: SlackError) -> Reply:
        return cls.json(200, {"ok": False, "error": error.error, **error.extra})

    @classmethod
    def server_error(cls, status: int) -> Reply:
        error = {500: "fatal_error", 503: "service_unavailable"}.get(status, "internal_error")
        return cls.json(status, {"ok": False, "error": error})


def int_param(value: object, *, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(str(value))
    except ValueError:
        raise SlackError("invalid_arguments") from None


def ts_param(value: object, error: str) -> float | None:
    if value in (None, "", "0"):
        return None
    try:
        return float(str(value))
    except ValueError:
        raise SlackError(error) from None


def flag(value: object) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true")
    return bool(value)


def parse_multipart(body: bytes, content_type: str) -> dict[str, Any]:
    message = BytesParser(policy=HTTP_POLICY).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if not isinstance(name, str):
            continue
        fields[name] = payload if part.get_filename() else payload.decode("utf-8")
    return fields


def parse_params(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if body:
        if kind == "application/json":
            try:
                data = json.loads(body)
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(data, dict):
                raise SlackError("invalid_json")
            params.update(data)
        elif kind == "multipart/form-data":
            params.update(parse_multipart(body, content_type))
        else:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    for key in _JSON_PARAMS:
        value = params.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            # Left as a string when malformed: the method answers invalid_blocks_format / invalid_arguments.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(value)
    return params
