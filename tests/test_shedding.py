"""A server past its limit of requests in flight says so at once (503, `Retry-After`) instead of
letting requests wait; what it acknowledged is kept, and a phone sends a refused tap again by
itself. Event streams, `/healthz` and static files are never refused this way."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import random
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

import backcast.api
import backcast.web
from backcast.db import Database, make_engine
from backcast.live.stream import EventStream
from backcast.models import Criterion, Rating
from backcast.web.shedding import NEVER_SHED
from tests import server as real_server
from tests.browser import PHONE
from tests.live_helpers import Room, facilitator_token, open_room, sqlite_url
from tests.sse import Connection

MAX_IN_FLIGHT = 3


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path_factory.mktemp("busy"), BACKCAST_MAX_IN_FLIGHT=str(MAX_IN_FLIGHT))
    yield running
    running.stop()


@pytest.fixture
def room(live: real_server.Server, request: pytest.FixtureRequest) -> Room:
    email = f"{request.node.name[:40]}@example.org"
    token = facilitator_token(sqlite_url(Path(live.log).parent), email=email)
    return open_room(live.base_url, token, title=email)


@contextmanager
def slots_taken(base_url: str, count: int) -> Iterator[None]:
    """`count` requests in flight for as long as the block runs: each announces a body and never
    sends it, so the server works on it (waiting for the body) until the connection closes."""
    parts = urlsplit(base_url)
    held = []
    try:
        for _ in range(count):
            sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
            sock.sendall(
                (
                    f"POST /api/v1/join HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                    "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
                ).encode()
            )
            held.append(sock)
        time.sleep(0.3)  # the server has read their headers
        yield
    finally:
        for sock in held:
            sock.close()
        time.sleep(0.3)  # and has seen them go


def measure_in_rating(room: Room) -> int:
    someone = room.join()
    room.phase("measures")
    item = room.add(someone, kind="measure", text="Repair café in every district")["id"]
    room.phase("rating")
    return int(item)


def stored_ratings(live: real_server.Server, item: int) -> dict[tuple[int, str], int | None]:
    """(participant id, criterion key) → value, as the server's database holds them."""
    db = Database(make_engine(sqlite_url(Path(live.log).parent)))
    try:
        with db.read() as session:
            rows = session.exec(
                select(Rating, Criterion).where(Rating.item_id == item, Criterion.id == Rating.criterion_id)
            ).all()
            return {(rating.participant_id, criterion.key): rating.value for rating, criterion in rows}
    finally:
        db.dispose()


def join(room: Room) -> tuple[int, dict[str, str]]:
    response = httpx.post(f"{room.base_url}/api/v1/join", json={"code": room.code, "consent": True})
    response.raise_for_status()
    return response.json()["participant_id"], {"Authorization": f"Bearer {response.json()['token']}"}


def test_a_full_server_refuses_at_once_and_serves_again_once_it_has_room(live, room: Room) -> None:  # type: ignore[no-untyped-def]
    item = measure_in_rating(room)
    phone = room.join()
    rate = f"{room.base_url}/api/v1/items/{item}/ratings"
    with slots_taken(room.base_url, MAX_IN_FLIGHT):
        started = time.monotonic()
        refused = httpx.put(rate, json={"impact": 4}, headers=phone, timeout=10)
        waited = time.monotonic() - started
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"] == "urn:backcast:problem:busy"
        assert waited < 1, "refused at once, not after waiting for a slot"

        page = httpx.get(f"{room.base_url}/j/{room.code}", headers={"Accept": "text/html"})
        assert page.status_code == 503
        assert "The server is very busy right now" in page.text
        german = httpx.get(
            f"{room.base_url}/j/{room.code}", headers={"Accept": "text/html", "Accept-Language": "de"}
        )
        assert "Der Server ist gerade stark ausgelastet" in german.text

        # What a load balancer, a loading page and an open screen need is never refused.
        assert httpx.get(f"{room.base_url}/healthz").status_code == 200
        assert httpx.get(f"{room.base_url}/static/phone.js").status_code == 200
        stream = Connection(room.events_url(), headers=room.facilitator)
        try:
            assert stream.status == 200
        finally:
            stream.close()
    assert stored_ratings(live, item) == {}, "a refused rating is not stored"

    accepted = httpx.put(rate, json={"impact": 4}, headers=phone, timeout=10)
    assert accepted.status_code == 200
    assert list(stored_ratings(live, item).values()) == [4]


def test_under_overload_each_request_is_answered_soon_and_nothing_acknowledged_is_lost(
    live, room: Room
) -> None:  # type: ignore[no-untyped-def]
    item = measure_in_rating(room)
    people = [join(room) for _ in range(40)]
    wanted = {
        (index, criterion): (index + offset) % 5 + 1
        for index in range(len(people))
        for offset, criterion in enumerate(("impact", "feasibility", "urgency"))
    }
    url = f"{room.base_url}/api/v1/items/{item}/ratings"

    async def burst(keys: list[tuple[int, str]]) -> dict[tuple[int, str], tuple[int, float, str | None]]:
        limits = httpx.Limits(max_connections=len(keys), max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:

            async def one(key: tuple[int, str]) -> tuple[int, float, str | None]:
                index, criterion = key
                started = time.monotonic()
                response = await client.put(url, json={criterion: wanted[key]}, headers=people[index][1])
                return response.status_code, time.monotonic() - started, response.headers.get("retry-after")

            answers = await asyncio.gather(*(one(key) for key in keys))
        return dict(zip(keys, answers, strict=True))

    # Two slots stay taken, so that the 120 requests at once overload the one that is left.
    with slots_taken(room.base_url, MAX_IN_FLIGHT - 1):
        answers = asyncio.run(burst(list(wanted)))
    statuses = [status for status, _, _ in answers.values()]
    assert set(statuses) <= {200, 503}
    assert statuses.count(503) > 0 and statuses.count(200) > 0
    for status, took, retry_after in answers.values():
        if status == 503:
            assert retry_after == "1"
            assert took < 1, f"a refusal took {took:.2f} s"
        else:
            assert took < 5, f"an acknowledged rating took {took:.2f} s"

    participant_of = {participant_id: index for index, (participant_id, _) in enumerate(people)}
    stored = {
        (participant_of[pid], criterion): value
        for (pid, criterion), value in stored_ratings(live, item).items()
    }
    acknowledged = {key: wanted[key] for key, (status, _, _) in answers.items() if status == 200}
    assert stored == acknowledged, "every acknowledged rating is stored, and nothing refused"

    # Each refused one, sent again after about Retry-After (spread out, as phones do), arrives too.
    async def until_taken(keys: list[tuple[int, str]]) -> list[int]:
        async with httpx.AsyncClient(timeout=30) as client:

            async def one(key: tuple[int, str]) -> int:
                index, criterion = key
                for _ in range(30):
                    await asyncio.sleep(random.uniform(0.5, 1.5))
                    response = await client.put(url, json={criterion: wanted[key]}, headers=people[index][1])
                    if response.status_code != 503:
                        return response.status_code
                return 503

            return list(await asyncio.gather(*(one(key) for key in keys)))

    refused = [key for key, (status, _, _) in answers.items() if status == 503]
    assert set(asyncio.run(until_taken(refused))) == {200}
    stored = {
        (participant_of[pid], criterion): value
        for (pid, criterion), value in stored_ratings(live, item).items()
    }
    assert stored == wanted


@pytest.mark.browser
def test_a_tap_the_busy_server_refused_is_sent_again_by_the_phone(browser, live, room: Room) -> None:  # type: ignore[no-untyped-def]
    item = measure_in_rating(room)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{room.base_url}/j/{room.code}")
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(f"{room.base_url}/w/{room.code}")
    card = page.locator(f"#item-{item}")
    card.get_by_role("button", name="Impact: 4").wait_for()

    with slots_taken(room.base_url, MAX_IN_FLIGHT):
        card.get_by_role("button", name="Impact: 4").click()
        expect(card.get_by_text("The server is busy. Will be sent in a moment.")).to_be_visible()
        expect(card.get_by_role("button", name="Impact: 4")).to_have_attribute("aria-pressed", "true")
        page.wait_for_timeout(2500)  # it tried again meanwhile and was refused again
        assert stored_ratings(live, item) == {}

    expect(card.get_by_text("The server is busy. Will be sent in a moment.")).to_have_count(0, timeout=10_000)
    # The phone's fresh view, fetched after sending, shows what the server took.
    expect(card.get_by_role("button", name="Impact: 4")).to_have_attribute("aria-pressed", "true")
    assert list(stored_ratings(live, item).values()) == [4]
    context.close()


def test_every_event_stream_is_never_shed() -> None:
    """A live route added later is exempt too, or this fails: the list is checked against every
    route that answers with an event stream."""
    modules = [
        importlib.import_module(f"{package.__name__}.{name}")
        for package in (backcast.web, backcast.api)
        for _, name, _ in pkgutil.iter_modules(package.__path__)
    ]
    streams = [
        ("/api/v1" if module.__name__.startswith("backcast.api") else "") + route.path
        for module in modules
        for route in getattr(getattr(module, "router", None), "routes", [])
        if getattr(route, "response_class", None) is EventStream
    ]
    assert len(streams) >= 4, streams
    for path in streams:
        assert NEVER_SHED.match(re.sub(r"\{[^}]+\}", "AB12CD", path)), path
    assert not NEVER_SHED.match("/w/AB12CD/view") and not NEVER_SHED.match("/api/v1/items/1/ratings")
