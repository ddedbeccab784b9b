"""The HTTP protocol `backcast serve` runs: uvicorn's h11 protocol with a deadline for a request's
headers. uvicorn closes idle keep-alive connections, but a client that connects and sends
nothing, or sends half a request line and stalls, would hold its socket for ever."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from backcast.settings import Settings


class TimedH11Protocol(H11Protocol):
    """Closes a connection whose next request's headers have not all arrived within
    `BACKCAST_HEADER_TIMEOUT` seconds of its first byte (or of the connection's opening)."""

    # Read once per process from the settings: uvicorn's worker processes build their protocol
    # from the class alone, and inherit the environment `backcast serve` was started with.
    _header_timeout: float | None = None

    @classmethod
    def header_timeout(cls) -> float:
        if cls._header_timeout is None:
            cls._header_timeout = float(Settings().header_timeout)
        return cls._header_timeout

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._awaited_after: object = None

    def _arm_header_deadline(self) -> None:
        self._awaited_after = self.cycle  # a request has its headers once a new cycle exists
        self._header_deadline = self.loop.call_later(self.header_timeout(), self._headers_late)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    # asyncio's base class takes any transport; like uvicorn's protocol, this one needs a socket's.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        if self._header_deadline is None and (self.cycle is None or self.cycle.response_complete):
            self._arm_header_deadline()  # the first bytes of a further request on this connection
        super().data_received(data)
        if self.cycle is not self._awaited_after:
            self._disarm_header_deadline()

    def _headers_late(self) -> None:
        self._header_deadline = None
        if self.cycle is self._awaited_after and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)
