"""The fan-out's sent prompts recorded in batches: one unit of work per batch instead of one per prompt.

Worker threads hand each send to `SendRecorder.add` and go on with the next prompt; one writer thread
records them (`prompt_records.record_sent_many`) once `BATCH` are waiting or the oldest has waited
`EVERY_S`, and `flush` records whatever is left (the tick calls it at the end of the window, and
leaving the `with` block does too). A send is recorded a fraction of a second after Slack took it,
well within its claim: if the process dies in between, the claim expires and the next attempt looks
for the post in the DM first (`PromptJob.may_have_posted`), exactly as for a crash between one post and
its own transaction. A batch that fails to commit is left the same way.
"""

from __future__ import annotations

import logging
import threading
import time
from types import TracebackType

from bot.deps import Deps
from bot.services import prompt_records as records
from bot.services.prompt_records import SentPrompt
from bot.services.tick import TickConfig, TickReport

log = logging.getLogger(__name__)


class SendRecorder:
    BATCH = 50
    EVERY_S = 0.5

    def __init__(
        self,
        deps: Deps,
        config: TickConfig,
        report: TickReport,
    ) -> None:
        self._deps, self._config, self._report = deps, config, report
        self._pending: list[SentPrompt] = []
        self._first_at = 0.0  # when the oldest pending send arrived
        self._changed = threading.Condition()
        self._writing = threading.Lock()  # one batch at a time, in arrival order
        self._stopping = False
        self._writer = threading.Thread(target=self._write_batches, name="send-recorder", daemon=True)

    def __enter__(self) -> SendRecorder:
        self._writer.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify()
        self._writer.join()
        self.flush()

    def add(self, sent: SentPrompt) -> None:
        with self._changed:
            if not self._pending:
                self._first_at = time.monotonic()
            self._pending.append(sent)
            if len(self._pending) >= self.BATCH:
                self._changed.notify()

    def flush(self) -> None:
        """Record every send handed in so far (and wait for a batch being written)."""
        with self._writing:
            self._write(self._take())

    def _take(self) -> list[SentPrompt]:
        with self._changed:
            batch, self._pending = self._pending, []
        return batch

    def _write_batches(self) -> None:
        while True:
            with self._changed:
                while not self._stopping and not self._due():
                    wait = self._first_at + self.EVERY_S - time.monotonic() if self._pending else None
                    self._changed.wait(wait)
                if self._stopping:
                    return
            self.flush()

    def _due(self) -> bool:
        return len(self._pending) >= self.BATCH or (
            bool(self._pending) and time.monotonic() - self._first_at >= self.EVERY_S
        )

    def _write(self, batch: list[SentPrompt]) -> None:
        if not batch:
            return
        try:
            records.record_sent_many(self._deps, self._config, batch, self._report)
        except Exception:
            # Their claims expire and the next attempt finds the posts in the DMs (may_have_posted).
            log.exception("recording %d sent prompts failed; they are looked up when their claims expire", len(batch))
            self._report.add("crashed", len(batch))
