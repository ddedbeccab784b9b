"""Several real server processes share one PostgreSQL store and see each other's writes live,
through either real broker, and survive the broker connection being cut."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import redis
from bs4 import BeautifulSoup
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from backcast import migrate
from tests import server as real_server
from tests.conftest import IN_CI, fresh_postgres_database
from tests.live_helpers import PASSWORD, Room, facilitator_token, open_room
from tests.sse import open_stream

pytestmark = pytest.mark.postgres

REDIS_URL = "redis://127.0.0.1:6379/0"
SECRET = "shared-secret-for-both-servers-" + "x" * 20


def redis_client() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        if IN_CI:
            pytest.fail(f"Redis is required under CI=true: {error}")
        pytest.skip(f"Redis not reachable: {error}")
    return client


@pytest.fixture(params=["postgres", "redis"])
def pair(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, real_server.Server, real_server.Server]]:
    broker = request.param
    if broker == "redis":
        redis_client().close()
    with fresh_postgres_database() as url:
        migrate.upgrade(url)
        env = {"BACKCAST_DATABASE_URL": url, "BACKCAST_BROKER": broker, "BACKCAST_SECRET_KEY": SECRET}
        first = real_server.start(tmp_path / "a", **env)
        second = real_server.start(tmp_path / "b", **env)
        try:
            yield url, first, second
        finally:
            first.stop()
            second.stop()


def cut_broker_connections(broker: str, url: str, servers: list[real_server.Server]) -> None:
    """What a broker restart looks like to the servers: their listening connections drop."""
    if broker == "postgres":
        engine = create_engine(url, poolclass=NullPool)
        with engine.begin() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE application_name = 'backcast-listener' AND datname = current_database()"
                )
            ).scalar()
        engine.dispose()
    else:
        client = redis_client()
        names = {f"backcast-{server.process.pid}" for server in servers}
        ours = [c for c in client.client_list() if c.get("name") in names and "P" in c.get("flags", "")]
        killed = sum(client.client_kill_filter(_id=c["id"]) for c in ours)
        client.close()
    assert killed == 2, f"expected one listener per server, cut {killed}"


@pytest.mark.parametrize("pair", ["postgres", "redis"], indirect=True)
def test_a_write_on_one_process_reaches_a_stream_on_the_other(
    pair: tuple[str, real_server.Server, real_server.Server], request: pytest.FixtureRequest
) -> None:
    url, first, second = pair
    broker = request.node.callspec.params["pair"]
    room: Room = open_room(first.base_url, facilitator_token(url))
    room.phase("vision")
    phone = room.join(second.base_url)
    stream = open_stream(room.events_url(first.base_url), room.facilitator)
    try:
        stream.wait_for(lambda events: len(events) >= 4)

        started = time.monotonic()
        room.add(phone, base_url=second.base_url, kind="vision", text="Written on the second process")
        events = stream.wait_for(lambda events: any(m.event == "item-added" for m in events), timeout=1.0)
        assert any(m.event == "item-added" for m in events), "the other process's write did not arrive"
        assert time.monotonic() - started < 1.0

        cut_broker_connections(broker, url, [first, second])
        started = time.monotonic()
        for n in range(5):
            room.add(phone, base_url=second.base_url, kind="vision", text=f"During the reconnect {n}")
        events = stream.wait_for(
            lambda events: sum(m.event == "item-added" for m in events) == 6, timeout=10.0
        )
        # Sooner than the feeds' safety poll: the brokers reconnected and caught up by themselves.
        assert time.monotonic() - started < 4.0
    finally:
        stream.close()
    seqs = [int(m.id) for m in events if m.id]
    assert sum(m.event == "item-added" for m in events) == 6
    assert seqs == list(range(1, len(seqs) + 1))


def signed_in(base_url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url)
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code in {200, 303}, response.text
    assert client.cookies, "no session cookie"
    return client


@pytest.mark.parametrize("pair", ["postgres", "redis"], indirect=True)
def test_co_owners_see_who_has_the_console_open_on_another_process(
    pair: tuple[str, real_server.Server, real_server.Server],
) -> None:
    url, first, second = pair
    room = open_room(first.base_url, facilitator_token(url, "ana@example.org"))
    facilitator_token(url, "bo@example.org")
    added = httpx.post(
        f"{first.base_url}/api/v1/workshops/{room.code}/owners",
        json={"email": "bo@example.org"},
        headers=room.facilitator,
    )
    assert added.status_code == 200, added.text
    ana, bo = signed_in(first.base_url, "ana@example.org"), signed_in(second.base_url, "bo@example.org")

    def also_open(client: httpx.Client) -> str | None:
        page = BeautifulSoup(client.get(f"/facilitate/{room.code}").text, "html.parser")
        line = page.select_one("#watching")
        return line.get_text() if line else None

    def waited(client: httpx.Client, expected: str | None) -> str | None:
        deadline = time.monotonic() + 5
        while (shown := also_open(client)) != expected and time.monotonic() < deadline:
            time.sleep(0.1)
        return shown

    assert also_open(bo) is None
    # Ana opens the console on the first process; Bo's console on the second says so.
    cookie = "; ".join(f"{name}={value}" for name, value in ana.cookies.items())
    stream = open_stream(f"{first.base_url}/facilitate/{room.code}/live", {"Cookie": cookie})
    try:
        assert waited(bo, "Also open now: ana@example.org") == "Also open now: ana@example.org"
        # Bo's own open console is not news to Bo, and Ana's page now names Bo.
        bo_cookie = "; ".join(f"{name}={value}" for name, value in bo.cookies.items())
        bo_stream = open_stream(f"{second.base_url}/facilitate/{room.code}/live", {"Cookie": bo_cookie})
        try:
            assert waited(ana, "Also open now: bo@example.org") == "Also open now: bo@example.org"
            assert also_open(bo) == "Also open now: ana@example.org"
        finally:
            bo_stream.close()
    finally:
        stream.close()
    # Closed on the first process: gone from the second, long before a heartbeat would expire it.
    assert waited(bo, None) is None
    assert waited(ana, None) is None
    ana.close()
    bo.close()
