"""Live updates under load: listeners on one workshop while participants rate; prints figures.

    .venv/bin/python bench/live.py [--listeners 1000] [--rate 500] [--seconds 30] [--multi]

Runs backcast (`backcast serve`, SQLite and the memory broker; with --multi, two processes on
PostgreSQL with the redis broker) and, in the same run, a bare FastAPI SSE fan-out
(bench/sse_baseline.py) under the same driver, and prints both. Not a test: the machine is
shared, so read the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
from run import figure_line

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def psql(sql: str, *, check: bool = True) -> None:
    """One statement against the local PostgreSQL's `test` database (for a bench database of its own)."""
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc", sql], check=check)


def wait_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)  # rating 2xx → arrival at a listener, s
    requests: list[float] = field(default_factory=list)  # rating request round trip, s
    acknowledged: int = 0
    refused: int = 0
    dropped: int = 0
    timing_listeners: int = 0
    duration: float = 0.0
    rss_idle_kib: int = 0
    rss_listening_kib: int = 0
    rss_end_kib: int = 0
    cpu: float = 0.0
    client_cpu: float = 0.0  # this driver's own share of the same cores


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def listen(
    host: str,
    port: int,
    path: str,
    headers: dict[str, str],
    on_event,
    opened: asyncio.Event,
    figures: Figures,
    stop: asyncio.Event,
) -> None:  # type: ignore[no-untyped-def]
    reader, writer = await asyncio.open_connection(host, port)
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: text/event-stream"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    buffer = b""
    opened_once = False
    try:
        while not stop.is_set():
            chunk = await reader.read(65536)
            if not chunk:
                figures.dropped += 1
                return
            buffer += chunk
            if not opened_once and b"\r\n\r\n" in buffer:
                opened_once = True
                opened.set()
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                text = block.decode(errors="replace")
                event = next((line[7:] for line in text.split("\n") if line.startswith("event: ")), None)
                data = "\n".join(line[6:] for line in text.split("\n") if line.startswith("data: "))
                if event:
                    on_event(event, data)
    except (ConnectionError, asyncio.CancelledError):
        if not stop.is_set():
            figures.dropped += 1
    finally:
        writer.close()


async def drive(target: Target, listeners: int, rate: int, seconds: float) -> Figures:
    figures = Figures()
    acks: dict[tuple[int, int, int], float] = {}
    stop = asyncio.Event()

    early: dict[tuple[int, int, int], int] = {}  # arrived before the client had read the 2xx

    def on_event(event: str, data: str) -> None:
        key = target.key_of(event, data)
        if key is None:
            return
        if key in acks:
            figures.latencies.append(max(0.0, time.monotonic() - acks[key]))
        else:
            early[key] = early.get(key, 0) + 1

    figures.rss_idle_kib = sum(rss_kib(pid) for pid in target.pids)
    tasks, openings = [], []
    for n in range(listeners):
        host, port, path, headers, measures = target.listener(n)
        opened = asyncio.Event()
        openings.append(opened)
        callback = on_event if measures else (lambda event, data: None)
        figures.timing_listeners += measures
        tasks.append(asyncio.create_task(listen(host, port, path, headers, callback, opened, figures, stop)))
        if n % 50 == 49:
            await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*(o.wait() for o in openings)), 120)
    await asyncio.sleep(2)
    figures.rss_listening_kib = sum(rss_kib(pid) for pid in target.pids)
    cpu_before = sum(cpu_seconds(pid) for pid in target.pids)
    client_before = time.process_time()

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        in_flight: set[asyncio.Task[None]] = set()

        async def one(k: int) -> None:
            url, body, headers, key = target.rating(k)
            started = time.monotonic()
            try:
                response = await client.put(url, json=body, headers=headers)
            except httpx.HTTPError:
                figures.refused += 1
                return
            done = time.monotonic()
            if response.status_code < 300:
                acks[key] = done
                figures.latencies.extend([0.0] * early.pop(key, 0))
                figures.acknowledged += 1
                figures.requests.append(done - started)
            else:
                figures.refused += 1

        begin = time.monotonic()
        k = 0
        while (now := time.monotonic()) - begin < seconds:
            due = int((now - begin) * rate)
            while k < due:
                task = asyncio.create_task(one(k))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                k += 1
            await asyncio.sleep(0.002)
        if in_flight:
            await asyncio.wait(in_flight, timeout=15)
        figures.duration = time.monotonic() - begin
    await asyncio.sleep(1.5)  # let the last events arrive
    figures.cpu = sum(cpu_seconds(pid) for pid in target.pids) - cpu_before
    figures.client_cpu = time.process_time() - client_before
    figures.rss_end_kib = sum(rss_kib(pid) for pid in target.pids)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return figures


class Target:
    pids: list[int]

    def listener(self, n: int) -> tuple[str, int, str, dict[str, str], bool]:
        raise NotImplementedError

    def rating(self, k: int) -> tuple[str, dict[str, int], dict[str, str], tuple[int, int, int]]:
        raise NotImplementedError

    def key_of(self, event: str, data: str) -> tuple[int, int, int] | None:
        raise NotImplementedError


class Baseline(Target):
    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            # Bare FastAPI logs a traceback for every listener that hangs up at the end; none is a figure.
            [
                PYTHON,
                "-m",
                "uvicorn",
                "sse_baseline:app",
                "--port",
                str(self.port),
                "--log-level",
                "critical",
            ],
            cwd=ROOT / "bench",
        )
        self.pids = [self.process.pid]
        wait_up(f"http://127.0.0.1:{self.port}/docs")

    def listener(self, n: int) -> tuple[str, int, str, dict[str, str], bool]:
        measures = n % 10 == 0  # the same share as backcast's JSON streams
        return "127.0.0.1", self.port, "/events?feed=1" if measures else "/events", {}, measures

    def rating(self, k: int) -> tuple[str, dict[str, int], dict[str, str], tuple[int, int, int]]:
        return f"http://127.0.0.1:{self.port}/rate/{k}", {}, {}, (k, 0, 0)

    def key_of(self, event: str, data: str) -> tuple[int, int, int] | None:
        return (int(json.loads(data)), 0, 0) if event == "rated" else None

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class Backcast(Target):
    """One or two `backcast serve` processes, a workshop in the rating phase, its participants."""

    def __init__(self, multi: bool, participants: int = 200, measures: int = 20) -> None:
        self.data = Path(tempfile.mkdtemp(prefix="backcast-bench-"))
        env = {**os.environ, "BACKCAST_DATA_DIR": str(self.data), "BACKCAST_SECRET_KEY": "bench-" + "k" * 40}
        env["BACKCAST_LOG_LEVEL"] = "warning"
        # Every simulated phone comes from this machine's one address, and a few participants
        # make the whole rating rate: the per-address and per-participant limits would measure
        # themselves, not the live path.
        env.update(BACKCAST_STREAMS_PER_ADDRESS="0", BACKCAST_JOIN_LIMIT="0", BACKCAST_CHANGE_LIMIT="0")
        self.database_name = None
        if multi:
            self.database_name = f"backcast_bench_{uuid.uuid4().hex[:8]}"
            psql(f'CREATE DATABASE "{self.database_name}"')
            env["BACKCAST_DATABASE_URL"] = (
                f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.database_name}"
            )
            env["BACKCAST_BROKER"] = "redis"
        backcast = [PYTHON, "-m", "backcast.cli"]
        subprocess.run([*backcast, "db", "upgrade"], env=env, check=True, capture_output=True)
        self.ports = [free_port() for _ in range(2 if multi else 1)]
        self.processes = [
            subprocess.Popen(
                [*backcast, "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for port in self.ports
        ]
        self.pids = [p.pid for p in self.processes]
        for port in self.ports:
            wait_up(f"http://127.0.0.1:{port}/healthz")
        sys.path.insert(0, str(ROOT))
        from backcast.db import Database, make_engine
        from backcast.services import accounts

        db = Database(
            make_engine(env.get("BACKCAST_DATABASE_URL") or f"sqlite:///{self.data / 'backcast.sqlite3'}")
        )
        accounts.add_facilitator(db, "bench@example.org", "bench password")
        token = accounts.issue_api_token(db, "bench@example.org")
        db.dispose()
        self.facilitator = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{self.ports[0]}"
        body = {"title": "Bench", "present_year": 2026, "vision_year": 2045, "language": "en", "names": "off"}
        self.code = httpx.post(f"{base}/api/v1/workshops", json=body, headers=self.facilitator).json()["code"]
        httpx.post(
            f"{base}/api/v1/workshops/{self.code}/phase", json={"phase": "measures"}, headers=self.facilitator
        )
        self.items = [
            httpx.post(
                f"{base}/api/v1/workshops/{self.code}/items",
                json={"kind": "measure", "text": f"Measure {n}"},
                headers=self.facilitator,
            ).json()["id"]
            for n in range(measures)
        ]
        httpx.post(
            f"{base}/api/v1/workshops/{self.code}/phase", json={"phase": "rating"}, headers=self.facilitator
        )
        self.people = []
        for _ in range(participants):
            joined = httpx.post(f"{base}/api/v1/join", json={"code": self.code}).json()
            self.people.append((joined["participant_id"], joined["token"]))

    def listener(self, n: int) -> tuple[str, int, str, dict[str, str], bool]:
        port = self.ports[n % len(self.ports)]
        if n % 100 == 0:
            return "127.0.0.1", port, f"/w/{self.code}/screen/live", {}, False
        if n % 10 == 0:  # JSON streams carry each rating, so they time the rating → listener path
            return "127.0.0.1", port, f"/api/v1/workshops/{self.code}/events", self.facilitator, True
        _, token = self.people[n % len(self.people)]
        return "127.0.0.1", port, f"/w/{self.code}/live", {"Cookie": f"bcp_{self.code}={token}"}, False

    def rating(self, k: int) -> tuple[str, dict[str, int], dict[str, str], tuple[int, int, int]]:
        pid, token = self.people[k % len(self.people)]
        item = self.items[(k // len(self.people)) % len(self.items)]
        value = (k // (len(self.people) * len(self.items))) % 5 + 1
        port = self.ports[k % len(self.ports)]
        url = f"http://127.0.0.1:{port}/api/v1/items/{item}/ratings"
        return url, {"impact": value}, {"Authorization": f"Bearer {token}"}, (pid, item, value)

    def key_of(self, event: str, data: str) -> tuple[int, int, int] | None:
        if event != "item-rated":
            return None
        payload = json.loads(data)["data"]
        return payload["participant_id"], payload["item_id"], payload["values"].get("impact")

    def close(self) -> None:
        for process in self.processes:
            process.terminate()
            process.wait(15)
        if self.database_name:
            psql(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)', check=False)


def report(name: str, f: Figures, listeners: int) -> dict[str, float]:
    row = {
        "ratings/s": f.acknowledged / f.duration if f.duration else 0,
        # What a room sees: ratings that reached the listeners within a second of their 2xx.
        "on time (<=1 s) /s": (
            sum(1 for latency in f.latencies if latency <= 1.0) / f.timing_listeners / f.duration
            if f.duration and f.timing_listeners
            else 0
        ),
        "refused": f.refused,
        "request p50 ms": pct(f.requests, 0.50),
        "request p95 ms": pct(f.requests, 0.95),
        "to listener p50 ms": pct(f.latencies, 0.50),
        "to listener p95 ms": pct(f.latencies, 0.95),
        "to listener p99 ms": pct(f.latencies, 0.99),
        "listeners dropped": f.dropped,
        "KiB per idle listener": (f.rss_listening_kib - f.rss_idle_kib) / max(listeners, 1),
        "RSS end MiB": f.rss_end_kib / 1024,
        "server CPU s": f.cpu,
        "client CPU s": f.client_cpu,
    }
    print(f"\n{name}")
    for key, value in row.items():
        print(f"  {key:24} {value:10.1f}")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listeners", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--multi", action="store_true", help="two processes, PostgreSQL, redis broker")
    args = parser.parse_args()
    print(
        f"{args.listeners} listeners, {args.rate} ratings/s offered for {args.seconds:.0f} s, "
        f"{os.cpu_count()} cores; client and servers share this machine"
    )
    rows = {}
    for name, make in (
        ("baseline: bare FastAPI SSE fan-out", Baseline),
        (
            "backcast"
            + (" (2 processes, PostgreSQL, redis)" if args.multi else " (1 process, SQLite, memory)"),
            lambda: Backcast(args.multi),
        ),
    ):
        target = make()
        try:
            rows[name] = report(
                name, asyncio.run(drive(target, args.listeners, args.rate, args.seconds)), args.listeners
            )
        finally:
            target.close()
    (base, ours) = rows.values()
    print(f"\nsustained rate, backcast / baseline: {ours['ratings/s'] / base['ratings/s']:.2f}")
    if base["on time (<=1 s) /s"]:
        on_time = ours["on time (<=1 s) /s"] / base["on time (<=1 s) /s"]
        print(f"delivered within 1 s, backcast / baseline: {on_time:.2f}")
    setting = f"{args.listeners} listeners{', 2 processes' if args.multi else ''}"
    figures = (
        ("ratings/s", "1/s"),
        ("on time (<=1 s) /s", "1/s"),
        ("to listener p95 ms", "ms"),
        ("request p95 ms", "ms"),
    )
    for figure, unit in figures:
        name = f"{figure.removesuffix(' ms')}, {setting}, vs bare SSE"
        print(figure_line("live", name, ours[figure], unit, base[figure]))


if __name__ == "__main__":
    main()
