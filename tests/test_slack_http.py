"""bot.slack_http: Web API calls and response_url posts reuse kept-alive connections, and answer as urllib."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack_client import make_web_client
from bot.slack_http import ConnectionPool, PooledRespond, PooledWebClient
from bot.testing.fake_slack import FakeSlack


def _client(fake: FakeSlack, pool: ConnectionPool, **options: int) -> PooledWebClient:
    client = make_web_client(fake.bot_token, fake.api_url, **options)
    assert isinstance(client, PooledWebClient)
    client.pool = pool
    return client


def test_many_calls_share_one_connection(fake_slack: FakeSlack) -> None:
    pool = ConnectionPool()
    client = _client(fake_slack, pool)
    for _ in range(20):
        assert client.auth_test()["ok"]
    assert pool.opened == 1
    pool.close()


def test_response_url_posts_share_one_connection(fake_slack: FakeSlack) -> None:
    pool = ConnectionPool()
    for n in range(10):
        url = fake_slack.new_response_url(channel_id="DU1", user_id="U1")
        answer = PooledRespond(response_url=url, pool=pool)(text=f"answer {n}", response_type="ephemeral")
        assert answer.status_code == 200
    assert pool.opened == 1
    assert [post.status for post in fake_slack.response_url_posts] == [200] * 10
    pool.close()


def test_an_error_status_reaches_the_retry_handlers_as_with_urllib(fake_slack: FakeSlack) -> None:
    pool = ConnectionPool()
    fake_slack.fail_next("auth.test", status=503)
    with pytest.raises(SlackApiError) as raised:
        _client(fake_slack, pool, server_error_retries=0).auth_test()
    assert raised.value.response.status_code == 503

    fake_slack.rate_limit("auth.test", per_second=2.0, burst=1)  # refills in 0.5 s: the second call is always over
    client = _client(fake_slack, pool)
    assert client.auth_test()["ok"] and client.auth_test()["ok"]  # the second got a 429 and waited it out
    assert [call.status for call in fake_slack.calls("auth.test")][-3:] == [200, 429, 200]
    assert pool.opened == 1  # an error answer keeps the connection
    pool.close()


@pytest.fixture
def closes_after_each_answer() -> Iterator[str]:
    """A server that answers each request and then closes the connection without saying so."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += connection.recv(65536)
                head, _, body = request.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                while len(body) < length:
                    body += connection.recv(65536)
                payload = b'{"ok": true}'
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(payload)).encode()
                    + b"\r\n\r\n"
                    + payload
                )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/api/"
    stop.set()
    server.close()
    thread.join(5)


def test_an_idle_connection_the_server_closed_is_not_reused(closes_after_each_answer: str) -> None:
    pool = ConnectionPool()
    client = make_web_client("xoxb-x", closes_after_each_answer, connection_error_retries=0)
    client.pool = pool  # type: ignore[attr-defined]
    for _ in range(3):
        threading.Event().wait(0.05)  # let the close arrive
        assert client.api_call("auth.test")["ok"]  # never a dropped-connection error
    assert pool.opened == 3
    pool.close()
