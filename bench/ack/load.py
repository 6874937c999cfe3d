"""bench/ack's load generators, run in a process of their own so their CPU is not the servers'.

Open loop (`rate` requests per second): request i is due at start + i / rate whatever the answers do,
as a workspace's people type regardless of how the bot is doing, and its latency counts from when it
was due (so a stalled server cannot hide its backlog: no coordinated omission). Closed loop
(`concurrency` clients, each sending its next request when the last was acknowledged): saturation.

Each request's outcome is (index, wall-clock time it was due or sent, ack latency in s, HTTP status);
the wall clock lets the caller match the fake Slack's response_url receipts (also wall clock) to them.
"""

from __future__ import annotations

import http.client
import itertools
import queue
import threading
import time
from typing import Any

Outcome = tuple[int, float, float, int]
OPEN_LOOP_CLIENTS = 64


def _post(connection: http.client.HTTPConnection, body: bytes, headers: dict) -> tuple[int, bool]:
    try:
        connection.request("POST", "/slack/events", body, headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status, True
    except (OSError, http.client.HTTPException):
        connection.close()
        return 0, False


def open_loop(address: str, requests: list[tuple[bytes, dict]], rate: float, out: Any) -> None:
    host, port = address.split(":")
    due: queue.SimpleQueue[tuple[int, float, float] | None] = queue.SimpleQueue()
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[Outcome] = []
        while (item := due.get()) is not None:
            index, due_perf, due_wall = item
            body, headers = requests[index]
            status, alive = _post(connection, body, headers)
            if not alive:
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
            mine.append((index, due_wall, time.perf_counter() - due_perf, status))
        connection.close()
        with lock:
            outcomes.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(OPEN_LOOP_CLIENTS)]
    for thread in threads:
        thread.start()
    start_perf, start_wall = time.perf_counter() + 0.05, time.time() + 0.05
    for index in range(len(requests)):
        offset = index / rate
        pause = start_perf + offset - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        due.put((index, start_perf + offset, start_wall + offset))
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join()
    out.send((outcomes, time.perf_counter() - start_perf))
    out.close()


def closed_loop(address: str, requests: list[tuple[bytes, dict]], concurrency: int, out: Any) -> None:
    host, port = address.split(":")
    counter = itertools.count()
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[Outcome] = []
        while (index := next(counter)) < len(requests):
            body, headers = requests[index]
            sent_wall, started = time.time(), time.perf_counter()
            status, alive = _post(connection, body, headers)
            if not alive:
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
            mine.append((index, sent_wall, time.perf_counter() - started, status))
        connection.close()
        with lock:
            outcomes.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.send((outcomes, time.perf_counter() - started))
    out.close()
