"""The address phones use to reach this server."""

from __future__ import annotations

import contextlib
import ipaddress
import socket

from backcast.settings import Settings


def lan_address() -> str | None:
    """This machine's address on the local network, or None when it has only loopback."""
    candidates: list[str] = []
    try:
        # Connecting a UDP socket sends nothing; it only makes the kernel pick the outgoing address.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            candidates.append(probe.getsockname()[0])
    except OSError:
        pass
    with contextlib.suppress(OSError):
        candidates.extend(
            info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        )
    for candidate in candidates:
        address = ipaddress.ip_address(candidate)
        if not (address.is_loopback or address.is_unspecified or address.is_link_local):
            return candidate
    return None


def public_base_url(settings: Settings) -> str:
    """`BACKCAST_PUBLIC_URL`, else the LAN address and port; never localhost, phones can't use it."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    address = lan_address()
    host = address if address is not None else socket.gethostname()
    return f"http://{host}:{settings.port}"


def join_url(settings: Settings, code: str) -> str:
    return f"{public_base_url(settings)}/j/{code}"
