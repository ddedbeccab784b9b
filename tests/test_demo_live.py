"""`backcast demo --live` beside a real server: simulated participants arrive, follow the phases
the facilitator sets through the server, contribute, rate and vote, and the server's live stream
carries what they do although they write from another process."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from backcast import migrate
from backcast.db import Database, make_engine
from backcast.live.feed import SAFETY_POLL_SECONDS
from backcast.models import Dots, Item, Link, Participant, Rating, Workshop
from backcast.services import accounts, workshops
from tests import server as real_server
from tests.conftest import fresh_postgres_database
from tests.sse import Message, Stream, open_stream
from tests.test_live_brokers import redis_client

PARTICIPANTS = 6


class Output(threading.Thread):
    """A process's standard output, line by line, as it comes."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        super().__init__(daemon=True)
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []

    def run(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def next(self, timeout: float = 30) -> str:
        line = self.lines.get(timeout=timeout)
        self.seen.append(line)
        return line

    def rest(self) -> list[str]:
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return self.seen


@dataclass
class Live:
    """A running rehearsal, its workshop, and the server it writes beside."""

    process: subprocess.Popen[str]
    output: Output
    db: Database
    server: real_server.Server
    code: str
    workshop_id: int
    headers: dict[str, str]
    broker_line: str

    def phase(self, name: str) -> None:
        """Moved on the server, as the console does; the rehearsal notices and says so."""
        response = httpx.post(
            f"{self.server.base_url}/api/v1/workshops/{self.code}/phase",
            json={"phase": name},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        line = self.output.next()
        assert re.fullmatch(rf"\[\d\d:\d\d\] phase {name}: \d+ joined, .*", line), line

    def stream(self) -> Stream:
        stream = open_stream(f"{self.server.base_url}/api/v1/workshops/{self.code}/events", self.headers)
        assert stream.status == 200
        return stream

    def count(self, model: Any, *where: Any, distinct: Any = None) -> int:
        with self.db.read() as session:
            what = func.count(func.distinct(distinct)) if distinct is not None else func.count()
            query = select(what).select_from(model).where(model.workshop_id == self.workshop_id, *where)
            return session.exec(query).one()


def ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def rehearsal(
    server: real_server.Server, data_dir: Path, database_url: str, *args: str, **env: str
) -> Iterator[Live]:
    environment = {
        "PATH": os.environ["PATH"],
        "PYTHONUNBUFFERED": "1",
        "BACKCAST_DATA_DIR": str(data_dir),
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "backcast.cli", "demo", "--live", *args],
        env=environment,
        # As a shell's background job starts it (`make test &`): Ctrl-C must end it all the same.
        preexec_fn=ignore_interrupts,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    output = Output(process)
    output.start()
    db = Database(make_engine(database_url))
    try:
        title = "Kreislaufwirtschaft im Nordwesten 2045 \\(Probe\\)"
        head = re.fullmatch(rf"rehearsal workshop ([A-Z0-9]{{6}}) “{title}”, in the lobby", output.next())
        assert head, output.rest()
        code = head.group(1)
        for _ in range(3):
            output.next()
        login = re.fullmatch(
            r"  sign in as (demo@backcast\.invalid) with the password (\S+) \(shown only this once\)",
            output.next(),
        )
        assert login, output.rest()
        assert output.next().startswith(f"{PARTICIPANTS} simulated participants arrive")
        broker_line = output.next()
        assert accounts.authenticate(db, login.group(1), login.group(2)).email == login.group(1)
        with db.read() as session:
            workshop = session.exec(select(Workshop).where(Workshop.code == code)).one()
        assert workshop.phase == "lobby" and workshop.id is not None
        token = accounts.issue_api_token(db, login.group(1))
        yield Live(
            process, output, db, server, code, workshop.id, {"Authorization": f"Bearer {token}"}, broker_line
        )
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        output.join(timeout=5)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        db.dispose()


def eventually(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


def stop_with_ctrl_c(live: Live) -> None:
    live.process.send_signal(signal.SIGINT)
    assert live.process.wait(timeout=30) == 0
    live.output.join(timeout=5)
    last = live.output.rest()[-1]
    assert re.fullmatch(
        rf"rehearsal stopped: {PARTICIPANTS} joined, \d+ contributions, \d+ ratings, \d+ dots placed", last
    ), last
    assert live.process.stderr is not None and live.process.stderr.read() == ""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path / "data")
    try:
        yield running
    finally:
        running.stop()


def test_simulated_participants_follow_the_phases_set_in_the_console(
    server: real_server.Server, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    url = f"sqlite:///{data_dir / 'backcast.sqlite3'}"
    args = ("--participants", str(PARTICIPANTS), "--minutes", "3", "--speed", "40")
    with rehearsal(server, data_dir, url, *args) as live:
        assert "BACKCAST_BROKER=postgres or redis" in live.broker_line
        stream = live.stream()
        try:
            eventually(lambda: live.count(Participant) == PARTICIPANTS, "everyone joined")
            for phase, kind in [
                ("vision", "vision"),
                ("milestones", "milestone"),
                ("needs", "need"),
                ("measures", "measure"),
            ]:
                live.phase(phase)
                eventually(
                    lambda kind=kind: live.count(Item, Item.kind == kind, Item.author_id.is_not(None)),
                    f"a participant's {kind}",
                )
            # Each need serves a milestone and each measure meets a need, as the content has it.
            with live.db.read() as session:
                children = session.exec(
                    select(Item.id).where(
                        Item.workshop_id == live.workshop_id, Item.kind.in_(["need", "measure"])
                    )
                ).all()
                linked = session.exec(
                    select(Link.from_id).where(Link.workshop_id == live.workshop_id).distinct()
                ).all()
            assert sorted(children) == sorted(linked)

            live.phase("rating")
            measures = live.count(Item, Item.kind == "measure")
            eventually(
                lambda: live.count(Rating) == PARTICIPANTS * measures * 4,
                "every measure rated by everyone on every criterion",
            )
            live.phase("prioritisation")
            eventually(lambda: live.count(Dots, distinct=Dots.participant_id) >= PARTICIPANTS - 1, "dots")

            # The server learnt of the other process's writes from its feed's safety poll.
            arrived = stream.wait_for(
                lambda events: (
                    {"participant-joined", "item-added", "item-rated", "dots-set"}
                    <= {event.event for event in events}
                ),
                timeout=SAFETY_POLL_SECONDS + 5,
            )
            assert {event.json()["actor"].split(":")[0] for event in arrived} == {
                "facilitator",
                "participant",
            }
        finally:
            stream.close()
        stop_with_ctrl_c(live)


@pytest.mark.postgres
@pytest.mark.parametrize("broker", ["postgres", "redis"])
def test_with_a_shared_broker_the_server_hears_of_each_change_at_once(tmp_path: Path, broker: str) -> None:
    if broker == "redis":
        redis_client().close()
    with fresh_postgres_database() as url:
        migrate.upgrade(url)
        env = {"BACKCAST_DATABASE_URL": url, "BACKCAST_BROKER": broker}
        server = real_server.start(tmp_path / "data", **env)
        args = ("--participants", str(PARTICIPANTS), "--minutes", "3", "--speed", "20")
        try:
            with rehearsal(server, tmp_path / "data", url, *args, **env) as live:
                assert live.broker_line.startswith(
                    f"They write to this database and tell the server through the {broker} broker"
                )
                eventually(lambda: live.count(Participant) == PARTICIPANTS, "everyone joined")
                stream = live.stream()
                delays: dict[str, float] = {}  # each contribution's time from commit to the stream

                def note_arrivals(events: list[Message]) -> bool:
                    for event in events:
                        if event.event == "item-added" and event.id not in delays:
                            written = datetime.fromisoformat(event.json()["at"]).timestamp()
                            delays[event.id or ""] = time.time() - written
                    return len(delays) >= 3

                try:
                    live.phase("needs")
                    stream.wait_for(note_arrivals, timeout=30)
                finally:
                    stream.close()
                # Well inside the feed's safety poll: the broker carried each one.
                assert len(delays) >= 3 and max(delays.values()) < 1.5, delays
                stop_with_ctrl_c(live)
        finally:
            server.stop()


def test_a_rehearsal_ends_when_its_workshop_is_deleted(server: real_server.Server, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    url = f"sqlite:///{data_dir / 'backcast.sqlite3'}"
    args = ("--participants", str(PARTICIPANTS), "--minutes", "3", "--speed", "40")
    with rehearsal(server, data_dir, url, *args) as live:
        eventually(lambda: live.count(Participant) >= 1, "someone joined")
        owner = accounts.facilitator_by_email(live.db, "demo@backcast.invalid")
        assert owner is not None
        workshops.delete_workshop(live.db, owner, live.code)
        assert live.process.wait(timeout=30) == 0
        live.output.join(timeout=5)
        last = live.output.rest()[-1]
        assert re.fullmatch(r"rehearsal over, the workshop was deleted: \d+ joined, .*", last), last
        assert live.process.stderr is not None and live.process.stderr.read() == ""
