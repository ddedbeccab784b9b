"""With a shared broker, every process counts the same limits: guesses spread over the workers
behind one proxy add up, instead of each worker granting the full allowance again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from backcast.app import create_app
from backcast.db import Database, make_engine
from backcast.enums import Phase
from backcast.settings import Settings
from tests import factories
from tests.conftest import _truncate_all
from tests.test_live_brokers import REDIS_URL, redis_client

pytestmark = pytest.mark.postgres


@pytest.fixture(params=["postgres", "redis"])
def workers(
    request: pytest.FixtureRequest, postgres_url: str, settings: Settings
) -> Iterator[tuple[Database, list[TestClient]]]:
    """Three application instances over one PostgreSQL database and one broker, as three workers."""
    if request.param == "redis":
        redis_client().close()
    db = Database(make_engine(postgres_url))
    _truncate_all(db)
    shared = settings.model_copy(
        update={
            "broker": request.param,
            "redis_url": REDIS_URL,
            # A key of its own keeps this test's counts apart from every other run on the same Redis.
            "secret_key": f"shared-limits-{uuid.uuid4().hex}",
            "join_code_attempts": 3,
            "login_attempts": 3,
            "contribution_limit": 2,
        }
    )
    apps = [create_app(shared, db=db) for _ in range(3)]
    clients = [TestClient(app, client=("10.0.0.1", 50000)) for app in apps]
    for client in clients:
        client.__enter__()
    try:
        yield db, clients
    finally:
        for client in clients:
            client.__exit__(None, None, None)
        db.dispose()


def test_wrong_codes_spread_over_workers_add_up(workers: tuple[Database, list[TestClient]]) -> None:
    db, clients = workers
    shop = factories.workshop(db)

    answers = [client.post("/join", data={"code": "ZZZZZZ"}).status_code for client in clients]
    refused = [client.post("/join", data={"code": shop.code}).status_code for client in clients]

    assert answers == [422, 422, 422]
    assert refused == [429, 429, 429]


def test_failed_sign_ins_spread_over_workers_add_up(workers: tuple[Database, list[TestClient]]) -> None:
    db, clients = workers
    account = factories.facilitator(db)
    form = {"email": account.email, "password": "wrong password!"}

    answers = [client.post("/login", data=form).status_code for client in clients]
    right = clients[0].post("/login", data={"email": account.email, "password": factories.PASSWORD})

    assert (answers, right.status_code) == ([401, 401, 401], 429)


def test_a_participants_contributions_spread_over_workers_add_up(
    workers: tuple[Database, list[TestClient]],
) -> None:
    db, clients = workers
    shop = factories.workshop(db)
    factories.phase(db, shop, Phase.vision)
    _participant, token = factories.join(db, shop)
    phone = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/workshops/{shop.code}/items"

    answers = [
        client.post(url, json={"kind": "vision", "text": f"V{n}"}, headers=phone).status_code
        for n, client in enumerate(clients)
    ]

    assert answers == [201, 201, 429]
