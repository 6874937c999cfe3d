"""The paced fan-out: many Slack calls from a thread pool, paced per method, honouring Retry-After.

Used by every tick task that sends to many people (prompts, reminders, digests). `pipeline` keeps a
few items in flight, claiming more as workers finish; `SlackCaller` makes each call, one `Pacer` per
Slack method learning the rate Slack accepts, the same one for every caller in the process (`PACERS`);
`fanout_client` is the WebClient for it, which leaves 429s to the pacer instead of retrying them itself.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.services.tick import RATE_LIMIT_WAIT_MAX_S
from bot.slack_client import make_web_client

T = TypeVar("T")


class Pacer:
    """Spaces calls to one Slack method across the fan-out threads and learns its rate limit.

    A leaky-bucket scheduler: one shared "next send time" that the threads take in turn, each sleeping
    until it under a gate, and the next turn is one interval after the moment this one actually went
    out. A late turn is not made up by sending the next one early: a bucket without burst refuses a
    call that arrives even slightly early, and a refused call wastes its turn.

    Unpaced until Slack answers 429; then the interval becomes what actually got through so far. After
    that it grows 3% on each 429 and shrinks 0.2% on each success, so the pace keeps probing upwards
    (Slack's limits are unpublished) and settles just under the limit; three refusals with no success
    between mean the first estimate was far too fast (a burst allowance inflates it), and the interval
    grows by half, once: until a call gets through again, the pace takes no second hard step. Refusals
    with no success at all are an outage (a workspace answering 429 for a minute), which Retry-After
    already holds every caller for, not news about the pace; slowing on each of them compounded the
    interval to minutes, and the workspace stayed that slow long after Slack recovered.
    """

    WINDOW_S = 2.0
    BACK_OFF = 1.03
    SPEED_UP = 0.998
    FAR_TOO_FAST_AFTER = 3
    FAR_TOO_FAST_BACK_OFF = 1.5

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()  # the learned state
        self._gate = threading.Lock()  # the turns: held while the next caller sleeps until its send time
        self._interval = 0.0
        self._next = 0.0
        self._started: float | None = None
        self._changed_at = float("-inf")
        self._successes: deque[float] = deque()
        self._refusals_in_a_row = 0
        self._stepped_back_hard = False  # since the last success: the pace waits for one before changing
        self._held_until = float("-inf")  # a Retry-After: no turn for this method before then
        self._holder: int | None = None  # the thread that got it sleeps it out itself

    @property
    def interval(self) -> float:
        return self._interval

    def wait(self) -> float:
        """Block until this caller's turn; returns the turn's time (pass it to `rate_limited`)."""
        with self._gate:
            now = self._clock()
            if self._started is None:
                self._started = now
            target = self._next
            if self._held_until > now and self._holder != threading.get_ident():
                target = max(target, self._held_until)
            if target > now:
                self._sleep(target - now)
                now = self._clock()
            turn = max(now, self._next)
            with self._lock:
                self._next = turn + self._interval
        return turn

    def success(self) -> None:
        with self._lock:
            now = self._clock()
            self._successes.append(now)
            while self._successes and self._successes[0] < now - self.WINDOW_S:
                self._successes.popleft()
            self._interval *= self.SPEED_UP
            self._refusals_in_a_row = 0
            self._stepped_back_hard = False

    def rate_limited(self, sent_at: float | None = None) -> None:
        """A call made at `sent_at` (from `wait`) got 429. Calls already under way when the pace last
        changed say nothing about the new pace, so they do not slow it again."""
        with self._lock:
            now = self._clock()
            if sent_at is not None and sent_at < self._changed_at:
                return
            if self._stepped_back_hard and self._refusals_in_a_row + 1 >= self.FAR_TOO_FAST_AFTER:
                return  # a second hard step with nothing through since the first: an outage, held by Retry-After
            self._changed_at = now
            self._refusals_in_a_row += 1
            if self._interval == 0.0:
                self._interval = self._observed_interval(now)  # the first 429: start from what got through
            elif self._refusals_in_a_row >= self.FAR_TOO_FAST_AFTER:
                # Several refusals with no success between: the pace is well over the limit (a burst
                # allowance made the first estimate too fast), so step back hard.
                self._interval *= self.FAR_TOO_FAST_BACK_OFF
                self._refusals_in_a_row = 0
                self._stepped_back_hard = True
            else:
                # Close to the limit: back off a little. Each 429 wastes a slot, each success probes
                # faster, so the pace settles just under the limit. Only the very first 429 jumps to the
                # observed rate: later ones often follow a quiet spell (callers sleeping out
                # Retry-After), when the observed rate says nothing about the limit.
                self._interval *= self.BACK_OFF

    def hold(self, seconds: float) -> None:
        """Slack said Retry-After `seconds` for this method: every caller of it waits that long (the
        calling thread sleeps it out itself); the other methods' pacers go on."""
        with self._lock:
            self._held_until = max(self._held_until, self._clock() + seconds)
            self._holder = threading.get_ident()

    @property
    def rate(self) -> float | None:
        """Calls per second this pacer allows once it learned a limit; None while unpaced."""
        return 1.0 / self._interval if self._interval > 0 else None

    def _observed_interval(self, now: float) -> float:
        recent = sum(1 for t in self._successes if t >= now - self.WINDOW_S)
        # Early on the window is not full yet: measure over the time since the first call.
        span = min(self.WINDOW_S, max(now - (self._started if self._started is not None else now), 0.05))
        observed = recent / span
        return 1.0 / observed if observed > 0 else 0.05


# The chat.postMessage pace to plan with before one was learned: Slack's "about 1 message per second"
# guidance (docs.slack.dev/apis/web-api/rate-limits); its workspace-wide limit is unpublished.
ASSUMED_POSTS_PER_S = 1.0


class Pacers:
    """The process's pacers, one per Slack API URL, bot token (a workspace's allowance) and method: every
    fan-out of the process (the tick's prompts, reminders, directory sweep, digests, a digest asked
    for on demand) paces a method with the same `Pacer`, so a rate learned or a Retry-After got by one
    holds for all of them, and the next tick starts from the pace the last one settled at."""

    # A rotating token (OAuth token rotation: a new one every 12 hours) is a new key each time, so the
    # least recently used pacers are dropped past this many; a dropped one only forgets its learned pace.
    MAX_PACERS = 4096

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pacers: OrderedDict[tuple[str, str | None, str], Pacer] = OrderedDict()

    def get(self, base_url: str, token: str | None, method: str) -> Pacer:
        key = (base_url, token, method)
        with self._lock:
            pacer = self._pacers.get(key)
            if pacer is None:
                pacer = self._pacers[key] = Pacer()
                if len(self._pacers) > self.MAX_PACERS:
                    self._pacers.popitem(last=False)
            else:
                self._pacers.move_to_end(key)
            return pacer


PACERS = Pacers()


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"ratelimited, retry after {retry_after:g} s")
        self.retry_after = retry_after


class SlackCaller:
    """Slack calls for the fan-out: paced per method, waiting out Retry-After within a budget.

    `on_rate_limited` is told of every 429. `own_post_client`: chat.postMessage goes through a client
    that never re-sends it (see below); without it every method uses `client` as it is."""

    def __init__(
        self,
        client: WebClient,
        on_rate_limited: Callable[[], None] = lambda: None,
        wait_budget_s: float = RATE_LIMIT_WAIT_MAX_S,
        *,
        own_post_client: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        pacers: Pacers = PACERS,
    ):
        self.client = client
        # chat.postMessage is never re-sent by slack_sdk on a 5xx or a dropped connection: Slack may have
        # posted it already. It goes back to the database instead and is looked up before the next try.
        self.post_client = (
            make_web_client(
                client.token or "",
                client.base_url,
                rate_limit_retries=0,
                server_error_retries=0,
                connection_error_retries=0,
            )
            if own_post_client
            else client
        )
        self.on_rate_limited = on_rate_limited
        self.wait_budget_s = wait_budget_s
        self._sleep = sleep
        self.token_error: str | None = None  # set once Slack refuses the bot's token: stop claiming
        self._pacers = pacers
        self._workspace = (client.base_url, client.token)
        self._calling = threading.local()

    @property
    def last_method(self) -> str | None:
        """The method this thread called last (so a failure can tell "before posting" from "posting")."""
        return getattr(self._calling, "method", None)

    def pacer(self, method: str) -> Pacer:
        return self._pacers.get(*self._workspace, method)

    def expected_rate(self, method: str) -> float:
        """Calls per second to plan with: the pace this process learned, else a guess."""
        return self.pacer(method).rate or (ASSUMED_POSTS_PER_S if method == "chat.postMessage" else 1.0)

    def call(self, method: str, **kwargs: Any) -> Any:
        self._calling.method = method
        pacer = self.pacer(method)
        waited = 0.0
        while True:
            turn = pacer.wait()
            try:
                client = self.post_client if method == "chat.postMessage" else self.client
                response = getattr(client, method.replace(".", "_"))(**kwargs)
            except SlackApiError as error:
                if error.response.status_code != 429 and error.response.get("error") != "ratelimited":
                    raise
                self.on_rate_limited()
                pacer.rate_limited(turn)
                retry_after = _retry_after(error)
                pacer.hold(retry_after)  # a 429 on one method holds that method only
                if waited + retry_after > self.wait_budget_s:
                    raise RateLimited(retry_after) from None
                self._sleep(retry_after)  # facts: honour Retry-After before calling again
                waited += retry_after
                continue
            pacer.success()
            return response


def _retry_after(error: SlackApiError) -> float:
    headers = error.response.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(1.0, float(value)) if value is not None else 1.0
    except (TypeError, ValueError):
        return 1.0


def fanout_client(deps: Deps) -> WebClient:
    """A client like the app's, but handing 429s to the pacer instead of retrying them itself."""
    return make_web_client(
        deps.client.token or "",
        deps.client.base_url,
        rate_limit_retries=0,
        server_error_retries=2,
        connection_error_retries=2,
    )


def pipeline(
    pool: ThreadPoolExecutor,
    width: int,
    claim: Callable[[int], tuple[list[T], bool]],
    work: Callable[[T], object],
    keep_claiming: Callable[[], bool] = lambda: True,
) -> None:
    """Keep about `width` items in flight: claim more as workers finish, until a claim comes back empty
    or `keep_claiming` says stop (then the items in flight are finished)."""
    in_flight: set[Future[object]] = set()
    more = True
    while True:
        more = more and keep_claiming()
        if more and len(in_flight) < width:
            jobs, claimed = claim(width * 2 - len(in_flight))
            more = claimed
            in_flight.update(pool.submit(work, job) for job in jobs)
            if claimed and not jobs:
                continue  # everything in that batch was settled without Slack; claim again
        if not in_flight:
            if more:
                continue
            return
        done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in done:
            future.result()  # a worker's unexpected error reaches the tick (its claim expires; retried later)
