"""Rate limits from settings: join-code guessing, sign-ins and contributions get 429 with Retry-After,
and change nothing; and request bodies over the cap get 413, chunked ones included."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import select

from backcast.app import create_app
from backcast.db import Database
from backcast.enums import Phase
from backcast.models import Item, Participant, Rating
from backcast.services import accounts
from backcast.settings import Settings
from tests import factories
from tests import server as real_server
from tests.test_api import assert_problem


def app_client(db: Database, settings: Settings, address: str = "10.0.0.1", **limits: Any) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=limits), db=db), client=(address, 50000))


@pytest.fixture
def small_limits(sqlite_db: Database, settings: Settings) -> Iterator[TestClient]:
    with app_client(
        sqlite_db, settings, join_code_attempts=3, login_attempts=3, contribution_limit=2
    ) as client:
        yield client


def retry_after(response: Any) -> int:
    return int(response.headers["retry-after"])


def error_text(response: Any) -> str:
    return BeautifulSoup(response.text, "html.parser").select_one(".error").get_text()


def item_count(db: Database) -> int:
    with db.read() as session:
        return session.exec(select(func.count()).select_from(Item)).one()


# --- join codes ---------------------------------------------------------------------------------


def test_wrong_codes_past_the_limit_lock_out_every_lookup_from_that_address(
    small_limits: TestClient, sqlite_db: Database
) -> None:
    shop = factories.workshop(sqlite_db)
    answers = [small_limits.post("/join", data={"code": "ZZZZZZ"}).status_code for _ in range(3)]
    assert answers == [422, 422, 422]

    # Now even the right code, on each way in, is refused until the window has passed.
    form = small_limits.post("/join", data={"code": shop.code})
    qr = small_limits.get(f"/j/{shop.code}", headers={"Accept": "text/html"}, follow_redirects=False)
    screen = small_limits.get(f"/w/{shop.code}/screen", headers={"Accept": "text/html"})
    api = small_limits.post("/api/v1/join", json={"code": shop.code})

    assert [form.status_code, qr.status_code, screen.status_code] == [429, 429, 429]
    assert error_text(form) == f"Too many wrong codes. Please wait {retry_after(form)} seconds and try again."
    assert 290 <= retry_after(form) <= 300 and 290 <= retry_after(screen) <= 300
    assert assert_problem(api, 429, "rate-limited")["detail"].startswith("Too many wrong codes.")
    assert 290 <= retry_after(api) <= 300
    with sqlite_db.read() as session:
        assert session.exec(select(func.count()).select_from(Participant)).one() == 0


def test_codes_guessed_through_the_api_and_the_screen_count_too(
    small_limits: TestClient, sqlite_db: Database
) -> None:
    shop = factories.workshop(sqlite_db)
    small_limits.post("/api/v1/join", json={"code": "ZZZZZZ"})
    small_limits.get("/w/ZZZZZY/screen")
    small_limits.get("/j/ZZZZZX", follow_redirects=False)

    assert small_limits.post("/api/v1/join", json={"code": shop.code}).status_code == 429


def test_a_phone_that_joined_keeps_working_when_its_address_is_locked_out(
    small_limits: TestClient, sqlite_db: Database
) -> None:
    shop = factories.workshop(sqlite_db)
    assert small_limits.post(f"/j/{shop.code}", follow_redirects=False).status_code == 303
    for _ in range(3):
        small_limits.post("/join", data={"code": "ZZZZZZ"})

    assert small_limits.get(f"/w/{shop.code}").status_code == 200


def test_other_addresses_and_the_right_code_are_not_limited(sqlite_db: Database, settings: Settings) -> None:
    shop = factories.workshop(sqlite_db)
    app = create_app(settings.model_copy(update={"join_code_attempts": 2}), db=sqlite_db)
    with TestClient(app, client=("10.0.0.1", 1)) as guesser, TestClient(app, client=("10.0.0.2", 1)) as other:
        for _ in range(2):
            guesser.post("/join", data={"code": "ZZZZZZ"})
        assert guesser.post("/join", data={"code": shop.code}).status_code == 429
        for _ in range(5):  # right codes never count
            assert other.post("/join", data={"code": shop.code}, follow_redirects=False).status_code == 303


def test_a_limit_of_zero_switches_guessing_limits_off(sqlite_db: Database, settings: Settings) -> None:
    with app_client(sqlite_db, settings, join_code_attempts=0) as client:
        assert {client.post("/join", data={"code": "ZZZZZZ"}).status_code for _ in range(15)} == {422}


# --- sign-ins -----------------------------------------------------------------------------------


def sign_in(client: TestClient, email: str, password: str) -> Any:
    return client.post("/login", data={"email": email, "password": password}, follow_redirects=False)


def test_failed_sign_ins_past_the_limit_are_refused_even_with_the_right_password(
    small_limits: TestClient, sqlite_db: Database
) -> None:
    account = factories.facilitator(sqlite_db)
    assert [sign_in(small_limits, account.email, "wrong password!").status_code for _ in range(3)] == [
        401
    ] * 3

    refused = sign_in(small_limits, account.email, factories.PASSWORD)

    assert refused.status_code == 429
    assert 890 <= retry_after(refused) <= 900
    assert error_text(refused) == (
        f"Too many failed sign-ins. Please wait {retry_after(refused)} seconds and try again."
    )
    assert "backcast_session" not in refused.cookies


def test_successful_sign_ins_do_not_count(small_limits: TestClient, sqlite_db: Database) -> None:
    account = factories.facilitator(sqlite_db)
    for _ in range(5):
        assert sign_in(small_limits, account.email, factories.PASSWORD).status_code == 303


def attack(app: Any, email: str, addresses: range, prefix: str = "10.0.1") -> list[int]:
    answers = []
    for n in addresses:
        with TestClient(app, client=(f"{prefix}.{n}", 1)) as client:
            answers.append(sign_in(client, email.upper(), "wrong password!").status_code)
    return answers


def test_an_account_under_attack_slows_guesses_by_a_growing_delay(
    sqlite_db: Database, settings: Settings
) -> None:
    account = factories.facilitator(sqlite_db)
    app = create_app(settings.model_copy(update={"login_account_attempts": 4}), db=sqlite_db)
    assert attack(app, account.email, range(4)) == [401] * 4

    waits = []
    with TestClient(app, client=("10.0.1.0", 1)) as guesser:
        for fresh in range(10, 13):
            again = sign_in(guesser, account.email, "another guess!!")
            waits.append((again.status_code, retry_after(again)))
            assert attack(app, account.email, range(fresh, fresh + 1)) == [401]

    assert waits == [(429, 1), (429, 2), (429, 4)]


def test_the_owner_signs_in_from_a_clean_address_while_the_account_is_attacked(
    sqlite_db: Database, settings: Settings
) -> None:
    account = factories.facilitator(sqlite_db)
    app = create_app(settings.model_copy(update={"login_account_attempts": 4}), db=sqlite_db)
    attack(app, account.email, range(8))

    with TestClient(app, client=("10.0.9.9", 1)) as owner:
        assert sign_in(owner, account.email, factories.PASSWORD).status_code == 303
    other = factories.facilitator(sqlite_db)
    with TestClient(app, client=("10.0.1.0", 1)) as guesser:
        assert sign_in(guesser, other.email, factories.PASSWORD).status_code == 303


def test_the_owner_who_mistyped_gets_in_once_the_delay_has_passed(
    sqlite_db: Database, settings: Settings
) -> None:
    account = factories.facilitator(sqlite_db)
    app = create_app(settings.model_copy(update={"login_account_attempts": 4}), db=sqlite_db)
    attack(app, account.email, range(3))
    with TestClient(app, client=("10.0.9.9", 1)) as owner:
        assert sign_in(owner, account.email, "a typo in it!").status_code == 401

        assert sign_in(owner, account.email, factories.PASSWORD).status_code == 429
        time.sleep(1.1)
        assert sign_in(owner, account.email, factories.PASSWORD).status_code == 303


# --- contributions ------------------------------------------------------------------------------


def test_api_contributions_past_the_limit_get_problem_details_and_retry_after(
    small_limits: TestClient, sqlite_db: Database
) -> None:
    shop = factories.workshop(sqlite_db)
    factories.phase(sqlite_db, shop, Phase.vision)
    token = small_limits.post("/api/v1/join", json={"code": shop.code}).json()["token"]
    phone = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/workshops/{shop.code}/items"

    answers = [
        small_limits.post(url, json={"kind": "vision", "text": f"V{n}"}, headers=phone) for n in range(3)
    ]

    assert [a.status_code for a in answers] == [201, 201, 429]
    body = assert_problem(answers[2], 429, "rate-limited")
    assert body["detail"] == (
        f"You are adding contributions very fast. Please wait {retry_after(answers[2])} seconds."
    )
    assert 55 <= retry_after(answers[2]) <= 60
    assert item_count(sqlite_db) == 2


def test_the_facilitator_is_never_limited(small_limits: TestClient, sqlite_db: Database) -> None:
    tree = factories.tree(sqlite_db)
    assert sign_in(small_limits, tree.owner.email, factories.PASSWORD).status_code == 303
    for n in range(5):
        small_limits.post(
            f"/facilitate/{tree.workshop.code}/items", data={"kind": "measure", "text": f"M{n}"}
        )
    assert item_count(sqlite_db) == 4 + 5


def test_the_phone_says_so_under_the_form(small_limits: TestClient, sqlite_db: Database) -> None:
    shop = factories.workshop(sqlite_db)
    factories.phase(sqlite_db, shop, Phase.vision)
    small_limits.post(f"/j/{shop.code}")
    htmx = {"HX-Request": "true"}
    for n in range(2):
        assert (
            small_limits.post(f"/w/{shop.code}/items", data={"text": f"V{n}"}, headers=htmx).status_code
            == 200
        )

    refused = small_limits.post(f"/w/{shop.code}/items", data={"text": "One too many"}, headers=htmx)

    assert refused.status_code == 429
    assert 55 <= retry_after(refused) <= 60
    form = BeautifulSoup(refused.text, "html.parser")
    assert form.select_one("#compose-error").get_text() == (
        f"You are adding contributions very fast. Please wait {retry_after(refused)} seconds."
    )
    assert form.select_one("textarea").get_text() == "One too many"  # what was typed is kept
    assert item_count(sqlite_db) == 2


# --- request bodies -----------------------------------------------------------------------------


def test_an_api_body_over_the_cap_gets_413_problem_details(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    shop = factories.workshop(sqlite_db)
    big = {"code": shop.code, "name": "x" * (64 * 1024)}

    response = sqlite_client.post("/api/v1/join", json=big)

    assert assert_problem(response, 413, "too-large")["detail"] == (
        "The request is too large: at most 64 KB are accepted."
    )
    with sqlite_db.read() as session:
        assert session.exec(select(func.count()).select_from(Participant)).one() == 0


def test_a_form_over_the_cap_gets_an_error_page(sqlite_client: TestClient, sqlite_db: Database) -> None:
    shop = factories.workshop(sqlite_db)
    response = sqlite_client.post(
        f"/j/{shop.code}", data={"name": "x" * (70 * 1024)}, headers={"Accept": "text/html"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert error_text(response) == "The request is too large: at most 64 KB are accepted."


def test_a_body_just_under_the_cap_goes_through(sqlite_db: Database, settings: Settings) -> None:
    shop = factories.workshop(sqlite_db)
    with app_client(sqlite_db, settings, max_body_size=2048) as client:
        small = client.post("/api/v1/join", json={"code": shop.code, "name": "Ann", "pad": "x" * 1900})
        large = client.post("/api/v1/join", json={"code": shop.code, "name": "Ann", "pad": "x" * 2100})
    assert (small.status_code, large.status_code) == (422, 413)  # 422: `pad` is no field, but was read


def chunked_post(
    base_url: str, path: str, body: bytes, chunk: int = 4096
) -> tuple[int, dict[str, str], bytes]:
    """A POST whose body goes in chunks without Content-Length, over a plain socket."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode()
        )
        try:
            for start in range(0, len(body), chunk):
                part = body[start : start + chunk]
                connection.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            connection.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before the last chunk; the answer is what counts
        received = b""
        while True:
            data = connection.recv(65536)
            if not data:
                break
            received += data
    head, _, content = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, content


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path_factory.mktemp("bodies"))
    yield running
    running.stop()


def test_a_chunked_body_over_the_cap_is_refused_by_a_real_server(live: real_server.Server) -> None:
    # Well past the cap, so that a server answering without reading on would reset the connection
    # under the client's feet, and the client would never see the 413.
    body = b'{"code": "ZZZZZZ", "name": "' + b"x" * (900 * 1024) + b'"}'

    status, headers, content = chunked_post(live.base_url, "/api/v1/join", body)

    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert b'"too-large"' in content


def test_a_small_chunked_body_is_read_whole_by_a_real_server(live: real_server.Server) -> None:
    status, _, content = chunked_post(live.base_url, "/api/v1/join", b'{"code": "ZZZZZZ"}', chunk=5)
    assert status == 404 and b'"not-found"' in content


def test_the_cap_is_a_setting(tmp_path: Path) -> None:
    running = real_server.start(tmp_path, BACKCAST_MAX_BODY_SIZE="2048")
    try:
        status, _, _ = chunked_post(running.base_url, "/api/v1/join", b'{"code": "' + b"Z" * 3000 + b'"}')
    finally:
        running.stop()
    assert status == 413


def test_a_template_file_may_be_larger_than_other_bodies_but_not_without_bound(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    account = factories.facilitator(sqlite_db)
    sign_in(sqlite_client, account.email, factories.PASSWORD)

    def upload(size: int) -> Any:
        files = {"file": ("t.json", b"{" + b" " * size + b"}", "application/json")}
        return sqlite_client.post("/templates/import", files=files, headers={"Accept": "text/html"})

    assert upload(100 * 1024).status_code == 422  # read, and found to be no template
    assert upload(400 * 1024).status_code == 413


def test_openapi_names_the_limits(sqlite_client: TestClient) -> None:
    paths = sqlite_client.get("/openapi.json").json()["paths"]
    assert "429" in paths["/api/v1/join"]["post"]["responses"]
    assert "429" in paths["/api/v1/workshops/{code}/items"]["post"]["responses"]
    assert all("413" in operation["responses"] for path in paths.values() for operation in path.values())


def test_an_empty_code_is_no_guess(small_limits: TestClient, sqlite_db: Database) -> None:
    shop = factories.workshop(sqlite_db)
    for _ in range(5):
        assert error_text(small_limits.post("/join", data={"code": "  "})) == "Please enter the code."
    assert small_limits.post("/join", data={"code": shop.code}, follow_redirects=False).status_code == 303


# --- facilitator tokens naming workshops --------------------------------------------------------


def test_a_facilitator_token_cannot_tell_a_missing_code_from_someone_elses(
    sqlite_client: TestClient, sqlite_db: Database
) -> None:
    mine = factories.workshop(sqlite_db)
    theirs = factories.workshop(sqlite_db)
    owner = factories.owner_of(sqlite_db, mine)
    token = {"Authorization": f"Bearer {accounts.issue_api_token(sqlite_db, owner.email)}"}
    free_code = "ZZZZZZ"

    for path in ("", "/items", "/results", "/export?format=csv"):
        missing = sqlite_client.get(f"/api/v1/workshops/{free_code}{path}", headers=token)
        other = sqlite_client.get(f"/api/v1/workshops/{theirs.code}{path}", headers=token)
        assert (missing.status_code, other.status_code) == (403, 403), path
        assert {**missing.json(), "instance": ""} == {**other.json(), "instance": ""}
    for method, path, body in (("POST", "/phase", {"phase": "vision"}), ("DELETE", "", None)):
        missing = sqlite_client.request(
            method, f"/api/v1/workshops/{free_code}{path}", json=body, headers=token
        )
        other = sqlite_client.request(
            method, f"/api/v1/workshops/{theirs.code}{path}", json=body, headers=token
        )
        assert (missing.status_code, missing.json()["detail"]) == (other.status_code, other.json()["detail"])


def test_a_facilitator_token_asking_for_many_workshops_not_its_own_must_wait(
    sqlite_db: Database, settings: Settings
) -> None:
    mine = factories.workshop(sqlite_db)
    owner = factories.owner_of(sqlite_db, mine)
    token = {"Authorization": f"Bearer {accounts.issue_api_token(sqlite_db, owner.email)}"}
    other_token = {"Authorization": f"Bearer {accounts.issue_api_token(sqlite_db, owner.email)}"}
    with app_client(sqlite_db, settings, token_miss_attempts=3) as client:
        misses = [client.get(f"/api/v1/workshops/ZZZZZ{n}", headers=token).status_code for n in "ABC"]
        refused = client.get(f"/api/v1/workshops/{mine.code}", headers=token)
        other = client.get(f"/api/v1/workshops/{mine.code}", headers=other_token)

    assert misses == [403, 403, 403]
    body = assert_problem(refused, 429, "rate-limited")
    assert body["detail"] == (
        "Too many requests for workshops that are not yours. "
        f"Please wait {retry_after(refused)} seconds and try again."
    )
    assert 290 <= retry_after(refused) <= 300
    assert other.status_code == 200


# --- rating and dot changes ---------------------------------------------------------------------


def test_rating_and_dot_changes_past_the_limit_get_429_and_change_nothing(
    sqlite_db: Database, settings: Settings
) -> None:
    tree = factories.tree(sqlite_db)
    factories.phase(sqlite_db, tree.workshop, Phase.rating)
    measure = tree.measures[0].id
    with app_client(sqlite_db, settings, change_limit=3) as client:
        token = client.post("/api/v1/join", json={"code": tree.workshop.code}).json()["token"]
        phone = {"Authorization": f"Bearer {token}"}
        answers = [
            client.put(f"/api/v1/items/{measure}/ratings", json={"impact": value}, headers=phone).status_code
            for value in (1, 2, 3)
        ]
        refused = client.put(f"/api/v1/items/{measure}/ratings", json={"impact": 5}, headers=phone)
        dots = client.put(f"/api/v1/items/{measure}/dots", json={"count": 1}, headers=phone)

    assert answers == [200, 200, 200]
    body = assert_problem(refused, 429, "rate-limited")
    assert body["detail"] == (
        f"You are changing ratings and dots very fast. Please wait {retry_after(refused)} seconds."
    )
    assert 55 <= retry_after(refused) <= 60
    assert dots.status_code == 429
    with sqlite_db.read() as session:
        assert [rating.value for rating in session.exec(select(Rating))] == [3]


def test_the_phone_says_so_on_the_card_when_changes_come_too_fast(
    sqlite_db: Database, settings: Settings
) -> None:
    tree = factories.tree(sqlite_db)
    factories.phase(sqlite_db, tree.workshop, Phase.rating)
    url = f"/w/{tree.workshop.code}/items/{tree.measures[0].id}/rating"
    with app_client(sqlite_db, settings, change_limit=2) as client:
        client.post(f"/j/{tree.workshop.code}")
        htmx = {"HX-Request": "true"}
        answers = [
            client.post(url, data={"criterion": "impact", "value": str(v)}, headers=htmx) for v in (1, 2, 3)
        ]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert 55 <= retry_after(answers[2]) <= 60
    assert error_text(answers[2]) == (
        f"You are changing ratings and dots very fast. Please wait {retry_after(answers[2])} seconds."
    )
