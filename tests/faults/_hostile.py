"""A hostile HTTP server on 127.0.0.1 for the fault suite.

Each connection's request is read and recorded; a *behaviour* then writes
whatever bytes it likes (floods, trickles, stalls, bombs, resets, echoes of the
key). After the behaviour the server half-closes and waits for the client to
close its side, so a test can tell whether the client let go of every socket.
Every loop here is bounded in time; the server stops itself when the test ends.
"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Self

_ACCEPT_POLL: Final = 0.05
_CLIENT_CLOSE_WAIT: Final = 5.0
_MAX_HEAD: Final = 64 * 1024
MAX_BEHAVIOUR_SECONDS: Final = 10.0
"""No behaviour writes for longer than this, whatever the client does."""


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Wire:
    """What a behaviour writes to: the socket, with the test's stop signal."""

    sock: socket.socket
    stop: threading.Event
    started: float = field(default_factory=time.monotonic)
    reset: bool = False

    def send(self, data: bytes) -> bool:
        """Send; False once the client is gone or the behaviour ran too long."""
        if (
            self.stop.is_set()
            or time.monotonic() - self.started > MAX_BEHAVIOUR_SECONDS
        ):
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def pause(self, seconds: float) -> bool:
        """Wait; False as soon as the client has gone (or the test ends)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.stop.is_set() or self.client_gone():
                return False
            ready, _, _ = select.select([self.sock], [], [], min(0.02, seconds))
            if not ready:
                continue
        return not self.stop.is_set()

    def client_gone(self) -> bool:
        ready, _, _ = select.select([self.sock], [], [], 0)
        if not ready:
            return False
        try:
            return self.sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def rst(self) -> None:
        """Abort the connection with a TCP reset instead of a clean close."""
        self.sock.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
        )
        self.reset = True


Behaviour = Callable[[Wire, Request], None]


def head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class HostileServer:
    """A loopback server whose connections all run ``behaviour``."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.requests: list[Request] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(_ACCEPT_POLL)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._unclosed = 0  # connections whose client has not closed yet
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/api/v1"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        self._acceptor.join(timeout=2)
        for thread in self._threads:
            thread.join(timeout=_CLIENT_CLOSE_WAIT + 1)

    def clients_closed(self, timeout: float = 3.0) -> bool:
        """Whether every client closed its socket (waiting up to ``timeout``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._unclosed == 0:
                    return True
            time.sleep(0.01)
        return False

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._unclosed += 1
            thread = threading.Thread(target=self._handle, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _handle(self, conn: socket.socket) -> None:
        wire = Wire(conn, self._stop)
        try:
            request = _read_request(conn)
            if request is not None:
                self.requests.append(request)
                self.behaviour(wire, request)
            if not wire.reset:
                _wait_for_client_close(conn)
        except OSError:
            pass
        finally:
            conn.close()
            with self._lock:
                self._unclosed -= 1


def _read_request(conn: socket.socket) -> Request | None:
    conn.settimeout(5.0)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk or len(data) > _MAX_HEAD:
            return None
        data += chunk
    raw_head, _, body = data.partition(b"\r\n\r\n")
    lines = raw_head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(method, path, headers, body)


def _wait_for_client_close(conn: socket.socket) -> None:
    """Half-close, then read until the client closes (or a bounded wait ends)."""
    try:
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(0.2)
        deadline = time.monotonic() + _CLIENT_CLOSE_WAIT
        while time.monotonic() < deadline:
            try:
                if not conn.recv(65536):
                    return
            except TimeoutError:
                continue
    except OSError:
        return
