"""How growthbot logs: plain text lines (the default) or, with LOG_FORMAT=json, one JSON object a line.

Each line carries the reference of the request or tick it belongs to (`ref`): a Slack request gets one
when it arrives (bot/server.py, Socket Mode in bot/socket_mode.py) and the apology a user sees quotes
the same reference (bot/errors.py); every scheduler tick gets one (bot/scheduler.py). The reference
follows work onto Bolt's listener threads and the tick's fan-out threads (`ContextThreadPoolExecutor`).
A Slack error code met while logging an exception is its own field (`slack_error`).

Evidence text is never logged, in either format: log calls name ids and counts, never what a person wrote.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import IO, Any, Literal

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(ref_suffix)s: %(message)s"

_reference: contextvars.ContextVar[str | None] = contextvars.ContextVar("growthbot_reference", default=None)


def new_reference() -> str:
    return uuid.uuid4().hex[:8]


def current_reference() -> str | None:
    return _reference.get()


@contextlib.contextmanager
def reference(ref: str | None = None) -> Iterator[str]:
    """Everything logged inside (and on threads started through ContextThreadPoolExecutor) carries `ref`."""
    ref = ref or new_reference()
    token = _reference.set(ref)
    try:
        yield ref
    finally:
        _reference.reset(token)


request_reference = reference
tick_reference = reference


class ContextThreadPoolExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in the submitter's context, so they log the submitter's reference."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)


def slack_error_of(error: BaseException | None) -> str | None:
    """Slack's error code carried by a slack_sdk SlackApiError (read by shape: this module imports no slack_sdk)."""
    response = getattr(error, "response", None)
    getter = getattr(response, "get", None)
    if getter is None:
        return None
    try:
        code = getter("error")
    except Exception:  # a response of another shape
        return None
    return str(code) if code else None


class _ReferenceFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ref = getattr(record, "ref", None) or current_reference()
        record.ref = ref
        record.ref_suffix = f" [{ref}]" if ref else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, ref, slack_error, exception (a traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ref = getattr(record, "ref", None) or current_reference()
        if ref:
            entry["ref"] = ref
        error = record.exc_info[1] if record.exc_info else None
        slack_error = getattr(record, "slack_error", None) or slack_error_of(error)
        if slack_error:
            entry["slack_error"] = slack_error
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(
    level: str = "INFO",
    log_format: Literal["text", "json"] = "text",
    stream: IO[str] | None = None,
    *,
    force: bool = False,
) -> None:
    """The root logger's one handler (standard error unless `stream`), in the chosen format.

    Like logging.basicConfig it leaves a root logger that someone else already configured (a program
    embedding growthbot, pytest's capture) alone, unless `force`; calling it again replaces its own handler."""
    root = logging.getLogger()
    foreign = [existing for existing in root.handlers if not getattr(existing, "_growthbot", False)]
    if foreign and not force:
        return
    handler = logging.StreamHandler(stream)
    handler.addFilter(_ReferenceFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    for existing in list(root.handlers):
        if getattr(existing, "_growthbot", False):
            root.removeHandler(existing)
    handler._growthbot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
