"""What the fake records for tests to assert on: calls, uploads, reactions, response_url posts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """One Web API call as the fake received it; ``params`` has JSON fields (blocks, view) parsed."""

    method: str
    params: dict[str, Any]
    at: float
    status: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass(frozen=True)
class UploadedFile:
    id: str
    filename: str
    title: str
    content: bytes
    channel_id: str | None
    initial_comment: str | None
    thread_ts: str | None


@dataclass(frozen=True)
class Reaction:
    channel: str
    ts: str
    name: str
    user: str


@dataclass(frozen=True)
class ResponseUrlPost:
    url: str
    body: dict[str, Any]
    at: float
    status: int


@dataclass
class Recordings:
    """Everything recorded since the fake started or was last cleared (``FakeSlack.clear`` replaces it)."""

    calls: list[Call] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    ephemerals: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    published: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id -> their Home view
    opened: list[dict[str, Any]] = field(default_factory=list)
    pushed: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    files: list[UploadedFile] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)
    response_posts: list[ResponseUrlPost] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)  # tracebacks of the fake's own failures
