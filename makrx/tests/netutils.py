"""Sockets for dependency tests: a closed port and a server that accepts but never answers."""

from __future__ import annotations

import contextlib
import socket


def closed_port() -> int:
    """A local port nothing listens on (connections are refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_port() -> int:
    return closed_port()


@contextlib.contextmanager
def hanging_server():
    """A listening socket that never accepts: connects succeed, every read hangs. Yields its port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()
