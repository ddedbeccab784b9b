"""The address phones use to reach this server."""

from __future__ import annotations

import contextlib
import ipaddress
import socket

from backcast.i18n import N_
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
            str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
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


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def unreachable_reason(settings: Settings) -> str | None:
    """Why phones could not reach this server at its join address, or None when they should.
    The reasons are msgids, translated where they are shown."""
    if settings.public_url:
        return None
    if settings.host in LOOPBACK_HOSTS:
        return N_(
            "This server listens only on this computer (%(host)s): phones cannot reach it. Start it "
            "with --host 0.0.0.0, or set BACKCAST_PUBLIC_URL to an address phones can open."
        )
    if lan_address() is None:
        return N_(
            "This computer has no network address that phones could use. Connect it to the room's "
            "Wi-Fi, or set BACKCAST_PUBLIC_URL to an address phones can open."
        )
    return None


def join_url(settings: Settings, code: str) -> str:
    return f"{public_base_url(settings)}/j/{code}"
