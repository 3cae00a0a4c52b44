"""Suite-wide guards.

Every test runs with socket connections failing loudly: if any request ever
left the process while a mock is active, the suite would show it. Response
shape checking is on for every activation (``fakeaws_strict`` in pyproject).
"""

from __future__ import annotations

import socket

import pytest

pytest_plugins = ["pytester"]


class NetworkAccessError(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise NetworkAccessError(f"fakeaws test tried to open a network connection: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
