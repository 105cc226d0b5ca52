"""Connections that never send a request are closed.

uvicorn times out idle keep-alive connections between requests, but not a connection that never sends a
first byte: a thousand of those stayed open forever. The protocol class below (uvicorn's own HTTP
protocol, passed in through ``uvicorn.Config(http=...)``) closes a connection whose first request has not
started within ``FIRST_BYTE_TIMEOUT`` seconds (10; ``MOCKSERVER_FIRST_BYTE_TIMEOUT`` overrides). It only adds to asyncio's protocol callbacks
(``connection_made``, ``data_received``, ``connection_lost``) and calls the parent for each.
"""
from __future__ import annotations

import asyncio
import os

try:  # the fast parser when installed (uvicorn[standard]), else h11
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # pragma: no cover - depends on the environment
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Base

FIRST_BYTE_TIMEOUT = 10.0


def first_byte_timeout() -> float:
    """``MOCKSERVER_FIRST_BYTE_TIMEOUT`` seconds if set (a positive number), else ``FIRST_BYTE_TIMEOUT``."""
    try:
        value = float(os.environ.get("MOCKSERVER_FIRST_BYTE_TIMEOUT", ""))
    except ValueError:
        return FIRST_BYTE_TIMEOUT
    return value if value > 0 else FIRST_BYTE_TIMEOUT


_TIMEOUT = first_byte_timeout()


class FirstByteTimeoutProtocol(_Base):
    _first_byte: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._first_byte = asyncio.get_running_loop().call_later(_TIMEOUT, self._never_spoke, transport)

    def data_received(self, data: bytes) -> None:
        if self._first_byte is not None:
            self._first_byte.cancel()
            self._first_byte = None
        super().data_received(data)

    def connection_lost(self, exc) -> None:
        if self._first_byte is not None:
            self._first_byte.cancel()
            self._first_byte = None
        super().connection_lost(exc)

    @staticmethod
    def _never_spoke(transport) -> None:
        if not transport.is_closing():
            transport.close()
