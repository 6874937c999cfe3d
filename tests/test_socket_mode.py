"""The Socket Mode watchdog against a local server: a websocket that stops answering is replaced."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY
from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.slack_client import make_web_client
from bot.socket_mode import WatchedSocketModeHandler, serve_health_and_metrics
from bot.testing.fake_slack import FakeSlack
from frameworks import LibraryHolder
from tests.conftest import Database
from tests.listeners.harness import bundled_library, make_settings

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
HANG_GUARD_S = 20.0  # a deadline for a broken watchdog, not a performance assertion


class LocalSocketModeServer:
    """apps.connections.open and the websocket on one local port. The first websocket accepts the
    handshake and then never answers a ping (a stalled link); every later one answers pings with pongs."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.websockets = 0
        self.pongs_sent = 0
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def close(self) -> None:
        self._stop.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                head += chunk
            text, _, rest = head.partition(b"\r\n\r\n")
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in text.decode().split("\r\n")[1:])
            }
            if headers.get("upgrade", "").lower() == "websocket":
                self._websocket(connection, headers["sec-websocket-key"])
            else:
                self._connections_open(connection, int(headers.get("content-length", "0")) - len(rest))

    def _connections_open(self, connection: socket.socket, remaining: int) -> None:
        while remaining > 0:
            remaining -= len(connection.recv(remaining))
        body = json.dumps({"ok": True, "url": f"ws://127.0.0.1:{self.port}/link/?ticket=t"}).encode()
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )

    def _websocket(self, connection: socket.socket, key: str) -> None:
        accept = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()
        connection.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
        )
        self.websockets += 1
        answering = self.websockets > 1
        connection.settimeout(0.5)
        buffer = b""
        while not self._stop.is_set():
            try:
                chunk = connection.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            if not answering:
                continue  # stalled: reads everything, answers nothing
            buffer += chunk
            buffer = self._answer_pings(connection, buffer)

    def _answer_pings(self, connection: socket.socket, buffer: bytes) -> bytes:
        while len(buffer) >= 6:
            opcode, length, offset = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if length == 126:
                length, offset = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                length, offset = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < offset + 4 + length:
                return buffer
            mask = buffer[offset : offset + 4]
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(buffer[offset + 4 : offset + 4 + length]))
            buffer = buffer[offset + 4 + length :]
            if opcode == 0x9 and length < 126:  # ping: pong with the same payload (unmasked, server side)
                connection.sendall(bytes([0x8A, length]) + payload)
                self.pongs_sent += 1
        return buffer


@pytest.fixture
def server() -> Iterator[LocalSocketModeServer]:
    running = LocalSocketModeServer()
    yield running
    running.close()


def _reconnects(reason: str) -> float:
    return REGISTRY.get_sample_value("growthbot_socket_mode_reconnects_total", {"reason": reason}) or 0.0


def _wait(condition: object, what: str) -> None:
    deadline = time.monotonic() + HANG_GUARD_S
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_stalled_websocket_is_replaced_logged_and_counted(
    server: LocalSocketModeServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = WebClient(token="xoxb-test", base_url=server.api_url)
    app = App(client=client, signing_secret="unused", token_verification_enabled=False)
    handler = WatchedSocketModeHandler(app, "xapp-test", ping_interval=0.25)
    before = _reconnects("stalled")
    caplog.set_level(logging.WARNING, logger="bot.socket_mode")
    handler.connect()
    try:
        _wait(lambda: server.websockets >= 2, "the stalled websocket was never replaced")
        _wait(lambda: server.pongs_sent >= 2, "the new websocket was not pinged")
        assert handler.client.is_connected()
        time.sleep(1.5)  # answered pongs keep the new link: no further reconnection
        assert server.websockets == 2
    finally:
        handler.close()
    assert _reconnects("stalled") == before + 1
    assert any("Socket Mode connection stalled" in record.getMessage() for record in caplog.records)


def test_run_http_port_serves_health_and_metrics(sqlite_db: Database) -> None:
    with FakeSlack() as fake:
        settings = make_settings(fake, sqlite_db)
        deps = Deps(settings=settings, uow=sqlite_db.uow, ladders=LibraryHolder(library=bundled_library()),
                    client=make_web_client(settings))  # fmt: skip
        http = serve_health_and_metrics(deps, "127.0.0.1", 0)
        try:
            base = f"http://127.0.0.1:{http.server_port}"
            with urllib.request.urlopen(base + "/healthz", timeout=10) as answer:
                assert answer.status == 200
            with urllib.request.urlopen(base + "/metrics", timeout=10) as answer:
                assert b"growthbot_socket_mode_reconnects_total" in answer.read()
        finally:
            http.shutdown()
