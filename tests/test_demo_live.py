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
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from backcast.db import Database, make_engine
from backcast.live.feed import SAFETY_POLL_SECONDS
from backcast.models import Dots, Item, Link, Participant, Rating, Workshop
from backcast.services import accounts
from tests import server as real_server
from tests.sse import open_stream

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


@pytest.fixture
def server(tmp_path: Path) -> Iterator[real_server.Server]:
    running = real_server.start(tmp_path / "data")
    try:
        yield running
    finally:
        running.stop()


def rehearsal(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    environment = {"PATH": os.environ["PATH"], "PYTHONUNBUFFERED": "1", "BACKCAST_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "backcast.cli", "demo", "--live", *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def eventually(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


def count(db: Database, model: Any, workshop_id: int, *where: Any, distinct: Any = None) -> int:
    with db.read() as session:
        what = func.count(func.distinct(distinct)) if distinct is not None else func.count()
        query = select(what).select_from(model).where(model.workshop_id == workshop_id, *where)
        return session.exec(query).one()


def test_simulated_participants_follow_the_phases_set_in_the_console(
    server: real_server.Server, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    process = rehearsal(data_dir, "--participants", str(PARTICIPANTS), "--minutes", "3", "--speed", "40")
    output = Output(process)
    output.start()
    db = Database(make_engine(f"sqlite:///{data_dir / 'backcast.sqlite3'}"))
    stream = None
    try:
        title = "Kreislaufwirtschaft im Nordwesten 2045 \\(Probe\\)"
        head = re.fullmatch(rf'rehearsal workshop ([A-Z0-9]{{6}}) "{title}", in the lobby', output.next())
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
        assert "BACKCAST_BROKER=postgres or redis" in output.next()

        with db.read() as session:
            workshop = session.exec(select(Workshop).where(Workshop.code == code)).one()
        assert workshop.phase == "lobby" and workshop.id is not None
        shop = workshop.id
        token = accounts.issue_api_token(db, login.group(1))
        headers = {"Authorization": f"Bearer {token}"}
        stream = open_stream(f"{server.base_url}/api/v1/workshops/{code}/events", headers)
        assert stream.status == 200

        def phase(name: str) -> None:
            response = httpx.post(
                f"{server.base_url}/api/v1/workshops/{code}/phase", json={"phase": name}, headers=headers
            )
            assert response.status_code == 200, response.text
            line = output.next()
            assert re.fullmatch(rf"\[\d\d:\d\d\] phase {name}: \d+ joined, .*", line), line

        eventually(lambda: count(db, Participant, shop) == PARTICIPANTS, "everyone joined")
        for name, kind in [
            ("vision", "vision"),
            ("milestones", "milestone"),
            ("needs", "need"),
            ("measures", "measure"),
        ]:
            phase(name)
            eventually(
                lambda kind=kind: count(db, Item, shop, Item.kind == kind, Item.author_id.is_not(None)),
                f"a participant's {kind}",
            )
        # Each need serves a milestone and each measure meets a need, as the content has it.
        with db.read() as session:
            children = session.exec(
                select(Item.id).where(Item.workshop_id == shop, Item.kind.in_(["need", "measure"]))
            ).all()
            linked = session.exec(select(Link.from_id).where(Link.workshop_id == shop).distinct()).all()
        assert sorted(children) == sorted(linked)

        phase("rating")
        measures = count(db, Item, shop, Item.kind == "measure")
        eventually(
            lambda: count(db, Rating, shop) == PARTICIPANTS * measures * 4,
            "every measure rated by everyone on every criterion",
        )
        phase("prioritisation")
        eventually(lambda: count(db, Dots, shop, distinct=Dots.participant_id) >= PARTICIPANTS - 1, "dots")

        # The server learnt of the other process's writes from its feed's safety poll.
        arrived = stream.wait_for(
            lambda events: (
                {"participant-joined", "item-added", "item-rated", "dots-set"}
                <= {event.event for event in events}
            ),
            timeout=SAFETY_POLL_SECONDS + 5,
        )
        actors = {event.json()["actor"].split(":")[0] for event in arrived}
        assert actors == {"facilitator", "participant"}

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0, process.stderr.read() if process.stderr else ""
        output.join(timeout=5)
        last = output.rest()[-1]
        assert re.fullmatch(
            rf"rehearsal stopped: {PARTICIPANTS} joined, \d+ contributions, \d+ ratings, \d+ dots placed",
            last,
        ), last
        assert process.stderr is not None and process.stderr.read() == ""
    finally:
        if stream is not None:
            stream.close()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        output.join(timeout=5)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        db.dispose()
