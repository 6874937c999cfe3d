"""The paced fan-out (bot.delivery.fanout): the pacer, the Slack caller and the pipeline."""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.delivery.fanout import Pacer, Pacers, RateLimited, SlackCaller, pipeline
from bot.slack_client import make_web_client


def _paced(now: list[float]) -> Pacer:
    pacer = Pacer(clock=lambda: now[0], sleep=lambda seconds: None)
    for step in range(10):
        now[0] = step * 0.01
        pacer.wait()
        pacer.success()
    now[0] = 0.1
    pacer.rate_limited()  # the first 429: 10 calls in 0.1 s, so 10 ms apart
    return pacer


def test_pacer_learns_the_observed_rate() -> None:
    moments = iter([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    clock_value = [0.0]

    def clock() -> float:
        return clock_value[0]

    slept: list[float] = []
    pacer = Pacer(clock=clock, sleep=slept.append)
    for moment in moments:
        clock_value[0] = moment
        pacer.wait()
        pacer.success()
    assert slept == [] and pacer.interval == 0.0
    pacer.rate_limited()
    assert pacer.interval == pytest.approx(0.7 / 8)  # 8 successes since the first call, 0.7 s ago
    pacer.wait()
    pacer.wait()
    assert slept and slept[-1] == pytest.approx(pacer.interval)


def test_pacer_backs_off_gently_and_ignores_429s_from_before_the_change() -> None:
    now = [0.0]
    pacer = Pacer(clock=lambda: now[0], sleep=lambda seconds: None)
    turns = []
    for step in range(10):
        now[0] = step * 0.01
        turns.append(pacer.wait())
        pacer.success()
    now[0] = 0.1
    pacer.rate_limited(turns[-1])
    first = pacer.interval
    assert first == pytest.approx(0.1 / 10)
    pacer.rate_limited(turns[-2])  # sent under the old pace: says nothing new
    assert pacer.interval == first
    now[0] = 0.105
    pacer.rate_limited(pacer.wait())  # sent under the new pace and still too fast: 3% slower
    assert pacer.interval == pytest.approx(first * 1.03)
    for _ in range(10):
        pacer.success()
    assert pacer.interval == pytest.approx(first * 1.03 * 0.998**10)


def test_pacer_spaces_turns_from_when_they_actually_went_out() -> None:
    # A turn that wakes late does not let the next one go early: without burst, early means refused.
    now = [0.0]

    def late_sleep(seconds: float) -> None:
        now[0] += seconds + 0.02  # woken 20 ms late

    pacer = Pacer(clock=lambda: now[0], sleep=late_sleep)
    for _ in range(3):
        pacer.wait()
        pacer.success()
    now[0] = 0.1
    pacer.rate_limited()
    interval = pacer.interval
    turns = [pacer.wait() for _ in range(4)]
    gaps = [later - earlier for earlier, later in itertools.pairwise(turns)]
    assert all(gap >= interval for gap in gaps)
    assert gaps == pytest.approx([interval + 0.02] * 3)


def test_pacer_does_not_jump_after_a_quiet_spell() -> None:
    # Callers sleeping out Retry-After leave few recent successes; that says nothing about the limit.
    now = [0.0]
    pacer = _paced(now)
    first = pacer.interval
    now[0] = 1.5
    pacer.rate_limited(pacer.wait())
    assert pacer.interval == pytest.approx(first * 1.03)


def test_pacer_steps_back_hard_after_three_refusals_in_a_row() -> None:
    now = [0.0]
    pacer = _paced(now)
    first = pacer.interval
    for _ in range(3):
        now[0] += 0.05
        pacer.rate_limited(pacer.wait())
    assert pacer.interval == pytest.approx(first * 1.03 * 1.03 * 1.5)
    now[0] += 0.05
    pacer.success()
    pacer.rate_limited(pacer.wait())  # a success between: back to gentle steps
    assert pacer.interval == pytest.approx(first * 1.03 * 1.03 * 1.5 * 0.998 * 1.03)


def test_pacer_waits_for_a_success_before_slowing_further_in_an_outage() -> None:
    # A workspace answering 429 for a minute: every call refused, Retry-After holding them all.
    now = [0.0]
    pacer = _paced(now)
    first = pacer.interval
    for _ in range(120):
        now[0] += 1.0
        pacer.rate_limited(pacer.wait())
    stepped_back = first * 1.03 * 1.5 * 1.03 * 1.03  # one hard step and its gentle ones, then no more
    assert pacer.interval == pytest.approx(stepped_back)  # not 1.5 ** 40 times slower
    now[0] += 1.0
    pacer.success()  # Slack recovered: the pace probes again from there
    pacer.rate_limited(pacer.wait())
    assert pacer.interval == pytest.approx(stepped_back * 0.998 * 1.03)


class _Client:
    """A stand-in WebClient: each method answers from a list of answers (an exception is raised)."""

    def __init__(self, **answers: list[object]) -> None:
        self.answers = {name: list(values) for name, values in answers.items()}
        self.calls: list[tuple[str, dict]] = []

    def __getattr__(self, name: str):
        def call(**kwargs: object) -> object:
            self.calls.append((name, kwargs))
            answer = self.answers[name].pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call


def _slack_error(error: str, status: int = 200, headers: dict[str, str] | None = None) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/",
        req_args={},
        data={"ok": False, "error": error},
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError(f"The request to the Slack API failed: {error}", response)


def _caller(client: _Client, slept: list[float], limited: list[int], budget: float = 60.0) -> SlackCaller:
    return SlackCaller(
        client,  # type: ignore[arg-type]
        lambda: limited.append(1),
        budget,
        own_post_client=False,
        sleep=slept.append,
    )


def test_a_429_is_waited_out_for_its_retry_after_then_called_again() -> None:
    client = _Client(chat_postMessage=[_slack_error("ratelimited", 429, {"Retry-After": "3"}), {"ok": True}])
    slept: list[float] = []
    limited: list[int] = []
    slack = _caller(client, slept, limited)
    assert slack.call("chat.postMessage", channel="D1", text="hi") == {"ok": True}
    assert slept == [3.0] and len(limited) == 1
    assert client.calls == [("chat_postMessage", {"channel": "D1", "text": "hi"})] * 2
    assert slack.pacer("chat.postMessage").interval > 0  # the 429 taught the method's pacer a pace
    assert slack.pacer("users.info").interval == 0  # other methods keep their own pace


def test_a_rate_limit_past_the_wait_budget_is_handed_back() -> None:
    refused = [_slack_error("ratelimited", 429, {"Retry-After": "30"}) for _ in range(3)]
    slept: list[float] = []
    slack = _caller(_Client(users_info=refused), slept, [], budget=45.0)
    with pytest.raises(RateLimited) as raised:
        slack.call("users.info", user="U1")
    assert slept == [30.0] and raised.value.retry_after == 30.0


def test_other_slack_errors_are_raised_at_once() -> None:
    slept: list[float] = []
    limited: list[int] = []
    slack = _caller(_Client(users_info=[_slack_error("invalid_auth")]), slept, limited)
    with pytest.raises(SlackApiError):
        slack.call("users.info", user="U1")
    assert slept == [] and limited == [] and slack.last_method == "users.info"


def test_the_pipeline_keeps_its_width_in_flight_until_claims_run_out() -> None:
    items = list(range(10))
    claimed_limits: list[int] = []
    done: list[int] = []
    busy = [0, 0]  # now, most at once
    lock = threading.Lock()

    def claim(limit: int) -> tuple[list[int], bool]:
        claimed_limits.append(limit)
        batch = [items.pop(0) for _ in range(min(limit, len(items)))]
        return batch, bool(batch)

    def work(item: int) -> None:
        with lock:
            busy[0] += 1
            busy[1] = max(busy)
        time.sleep(0.01)
        with lock:
            busy[0] -= 1
            done.append(item)

    with ThreadPoolExecutor(3) as pool:
        pipeline(pool, 3, claim, work)
    assert sorted(done) == list(range(10)) and items == []
    assert claimed_limits[0] == 6 and all(limit <= 6 for limit in claimed_limits)
    assert busy[1] <= 3


def test_the_pipeline_stops_claiming_once_told_and_finishes_what_is_in_flight() -> None:
    fatal = threading.Event()
    claims = itertools.count()
    done: list[int] = []

    def claim(limit: int) -> tuple[list[int], bool]:
        start = next(claims) * 100
        return list(range(start, start + limit)), True  # never runs out on its own

    def work(item: int) -> None:
        if item == 0:
            fatal.set()  # e.g. Slack refused the bot token
        done.append(item)

    with ThreadPoolExecutor(2) as pool:
        pipeline(pool, 2, claim, work, keep_claiming=lambda: not fatal.is_set())
    assert 0 in done and len(done) < 20  # claimed items were finished, no claim after the stop


def test_the_pipeline_claims_again_after_a_claim_settled_without_work() -> None:
    answers = [([], True), ([7], True), ([], False)]
    done: list[int] = []
    with ThreadPoolExecutor(1) as pool:
        pipeline(pool, 1, lambda limit: answers.pop(0), done.append)
    assert done == [7] and answers == []


def test_a_retry_after_holds_every_caller_of_that_method_and_no_other() -> None:
    now = [0.0]
    slept: list[float] = []
    posts = Pacer(clock=lambda: now[0], sleep=slept.append)
    lookups = Pacer(clock=lambda: now[0], sleep=slept.append)
    posts.hold(5.0)  # this thread got the 429: it sleeps it out itself
    posts.wait()
    assert slept == []
    other: list[float] = []

    def another_thread() -> None:
        posts.wait()
        other.extend(slept)
        lookups.wait()

    thread = threading.Thread(target=another_thread)
    thread.start()
    thread.join()
    assert other == [5.0], "another caller of the method waits out the Retry-After"
    assert slept == [5.0], "the other method's pacer is not held"
    assert posts.rate is None and lookups.rate is None


def test_every_caller_in_the_process_shares_one_pacer_per_method() -> None:
    digests = SlackCaller(make_web_client("xoxb-a", "https://slack.test/api/"), own_post_client=False)
    prompts = SlackCaller(make_web_client("xoxb-a", "https://slack.test/api/"))
    assert digests.pacer("chat.postMessage") is prompts.pacer("chat.postMessage")
    assert digests.pacer("chat.update") is not prompts.pacer("chat.postMessage")
    other_workspace = SlackCaller(make_web_client("xoxb-b", "https://slack.test/api/"))
    assert other_workspace.pacer("chat.postMessage") is not prompts.pacer("chat.postMessage")
    # What one caller learns (a pace, a Retry-After) the next one, in this tick or the next, starts from.
    prompts.pacer("chat.postMessage").rate_limited()
    assert digests.expected_rate("chat.postMessage") == prompts.expected_rate("chat.postMessage")
    assert SlackCaller(make_web_client("xoxb-a", "https://slack.test/api/")).pacer("chat.postMessage").rate


def test_the_process_pacers_are_one_per_workspace_and_method_and_bounded() -> None:
    pacers = Pacers()
    pacers.MAX_PACERS = 2
    first = pacers.get("http://slack/api/", "xoxb-a", "chat.postMessage")
    assert pacers.get("http://slack/api/", "xoxb-a", "chat.postMessage") is first
    other = pacers.get("http://slack/api/", "xoxb-b", "chat.postMessage")
    assert other is not first
    pacers.get("http://slack/api/", "xoxb-a", "chat.postMessage")  # used again: the most recent
    pacers.get("http://slack/api/", "xoxb-c", "chat.postMessage")  # a rotated token: the least recent goes
    assert pacers.get("http://slack/api/", "xoxb-a", "chat.postMessage") is first
    assert pacers.get("http://slack/api/", "xoxb-b", "chat.postMessage") is not other
