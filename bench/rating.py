"""The rating and dot paths against their floor: backcast beside a bare FastAPI app, driven by wrk.

    .venv/bin/python bench/rating.py [--seconds 8] [--connections 50]

Seeds one database through backcast's API (200 participants, 15 measures on 3 criteria, one
workshop in the rating phase and one in prioritisation), then, for ratings and for dots, runs the
floor (bench/rating_floor.py) and `backcast serve` in turn on fresh copies of it. Each server is
pinned to one core and wrk (Debian's C load generator; `make bench` installs it) to the other, with
bench/put.lua rotating the requests so that each one changes a stored value. After a 2 s warm-up,
wrk runs `--seconds` with `--connections` connections and one thread. Prints both rates, the ratio
and request p50/p99, and the server's CPU time per request (steadier than the rate on a shared
machine); with `--rounds N`, N alternating pairs and their medians. backcast runs as `serve` does
by default (log level info: the access log on); its per-participant change limit is off, since a
few hundred tokens make the whole rate here.
The machine is shared: read the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
from live import cpu_seconds, free_port, wait_up
from run import figure_line

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
PARTICIPANTS, MEASURES = 200, 15
WARM_UP = 2
SERVER_CORE, DRIVER_CORE = "0", "1"
DATABASE = "backcast.sqlite3"


def environment(data: Path) -> dict[str, str]:
    env = {**os.environ, "BACKCAST_DATA_DIR": str(data), "BACKCAST_SECRET_KEY": "bench-" + "k" * 40}
    # One machine's address and a few hundred tokens make the whole rate: the join and change
    # limits would measure themselves.
    env.update(BACKCAST_JOIN_LIMIT="0", BACKCAST_CHANGE_LIMIT="0")
    return env


@dataclass
class Workshop:
    code: str
    items: list[int]
    tokens: list[str]
    criteria: list[str]


def seed(data: Path) -> dict[str, Workshop]:
    """One workshop in the rating phase and one in prioritisation, made through backcast's API."""
    env = environment(data)
    backcast = [PYTHON, "-m", "backcast.cli"]
    subprocess.run([*backcast, "db", "upgrade"], env=env, check=True, capture_output=True)
    sys.path.insert(0, str(ROOT))
    from backcast.db import Database, make_engine
    from backcast.services import accounts

    db = Database(make_engine(f"sqlite:///{data / DATABASE}"))
    accounts.add_facilitator(db, "bench@example.org", "bench password")
    headers = {"Authorization": f"Bearer {accounts.issue_api_token(db, 'bench@example.org')}"}
    db.dispose()
    port = free_port()
    server = subprocess.Popen(
        [*backcast, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**env, "BACKCAST_LOG_LEVEL": "warning"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    made = {}
    try:
        wait_up(f"{base}/healthz")
        with httpx.Client(base_url=base, timeout=30) as client:
            for kind, phase in (("ratings", "rating"), ("dots", "prioritisation")):
                body = {
                    "title": f"Bench {kind}",
                    "language": "en",
                    "names": "off",
                    "dot_budget": 2 * MEASURES,
                }
                created = client.post("/api/v1/workshops", json=body, headers=headers).json()
                code = created["code"]
                client.post(f"/api/v1/workshops/{code}/phase", json={"phase": "measures"}, headers=headers)
                items = [
                    client.post(
                        f"/api/v1/workshops/{code}/items",
                        json={"kind": "measure", "text": f"Measure {n}"},
                        headers=headers,
                    ).json()["id"]
                    for n in range(MEASURES)
                ]
                shown = client.get(f"/api/v1/workshops/{code}", headers=headers).json()
                criteria = [criterion["key"] for criterion in shown["criteria"]]
                tokens = [
                    client.post("/api/v1/join", json={"code": code}).json()["token"]
                    for _ in range(PARTICIPANTS)
                ]
                for step in ("rating", "prioritisation")[: 1 + (phase == "prioritisation")]:
                    client.post(f"/api/v1/workshops/{code}/phase", json={"phase": step}, headers=headers)
                made[kind] = Workshop(code, items, tokens, criteria)
    finally:
        server.terminate()
        server.wait(15)
    return made


@dataclass
class Result:
    rate: float  # 2xx responses per second
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    cpu_us: float  # the server's CPU time per answered request

    FIGURES = ("rate", "p50_ms", "p99_ms", "cpu_us")


def wrk(port: int, script_data: Path, first: int, seconds: float, connections: int) -> dict[str, int]:
    command = [
        "taskset", "-c", DRIVER_CORE,
        "wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "10s",
        "-s", str(HERE / "put.lua"), f"http://127.0.0.1:{port}", "--", str(script_data), str(first),
    ]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("wrk-result "))
    return json.loads(line.removeprefix("wrk-result "))  # type: ignore[no-any-return]


def measure(
    name: str, template: Path, kind: str, workshop: Workshop, seconds: float, connections: int
) -> Result:
    """One server on a fresh copy of the seeded data: warm up, then the measured run."""
    data = Path(tempfile.mkdtemp(prefix=f"backcast-bench-{name}-"))
    shutil.copytree(template, data, dirs_exist_ok=True)
    port = free_port()
    if name == "floor":
        command = [PYTHON, "-m", "uvicorn", "rating_floor:app", "--host", "127.0.0.1", "--port", str(port)]
        command += ["--no-access-log", "--log-level", "warning"]
        env = {**os.environ, "BENCH_FLOOR_DB": str(data / DATABASE)}
        health = f"http://127.0.0.1:{port}/docs"
    else:
        command = [PYTHON, "-m", "backcast.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        env = environment(data)
        health = f"http://127.0.0.1:{port}/healthz"
    server = subprocess.Popen(
        ["taskset", "-c", SERVER_CORE, *command],
        cwd=HERE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    script_data = data / "wrk-data.txt"
    lines = [f"kind {kind}"] + [f"token {t}" for t in workshop.tokens]
    lines += [f"item {i}" for i in workshop.items] + [f"criterion {c}" for c in workshop.criteria]
    script_data.write_text("\n".join(lines) + "\n")
    try:
        wait_up(health)
        warm = wrk(port, script_data, 0, WARM_UP, connections)
        # The measured run starts at the pass after the warm-up's last (requests still in flight
        # when wrk stopped included), so its first pass changes every value the warm-up left.
        per_pass = (
            len(workshop.tokens) * len(workshop.items) * (len(workshop.criteria) if kind == "ratings" else 1)
        )
        first = ((warm["requests"] + connections) // per_pass + 1) * per_pass
        cpu_before = cpu_seconds(server.pid)  # taskset runs the server in its own process
        run = wrk(port, script_data, first, seconds, connections)
        cpu = cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(15)
        shutil.rmtree(data, ignore_errors=True)
    errors = run["status_errors"] + run["socket_errors"]
    duration = run["duration_us"] / 1e6
    return Result(
        rate=(run["requests"] - run["status_errors"]) / duration,
        p50_ms=run["p50_us"] / 1000,
        p99_ms=run["p99_us"] / 1000,
        errors=errors,
        requests=run["requests"],
        cpu_us=cpu / max(run["requests"], 1) * 1e6,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--only", choices=("ratings", "dots"), help="one path instead of both")
    parser.add_argument("--rounds", type=int, default=1, help="floor and backcast this many times each")
    args = parser.parse_args()
    if shutil.which("wrk") is None or shutil.which("taskset") is None:
        print("wrk and taskset are needed: `make bench` installs Debian's wrk", file=sys.stderr)
        return 1
    cores = os.cpu_count() or 1
    print(
        f"{PARTICIPANTS} participants, {MEASURES} measures; wrk -t1 -c{args.connections}, "
        f"{WARM_UP} s warm-up + {args.seconds:.0f} s; server on core {SERVER_CORE}, wrk on core "
        f"{DRIVER_CORE} of {cores}"
    )
    template = Path(tempfile.mkdtemp(prefix="backcast-bench-seed-"))
    failed = False
    try:
        seeded = seed(template)
        for kind in ("ratings", "dots") if args.only is None else (args.only,):
            print(f"\n{kind} (PUT /api/v1/items/{{id}}/{kind})")
            print(f"  {'':16} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU us':>8} {'errors':>7}")
            rounds: list[dict[str, Result]] = []
            for number in range(args.rounds):
                # Every other round the other way round, so that a drift in the machine's load
                # falls on both alike.
                order = ("floor", "backcast") if number % 2 == 0 else ("backcast", "floor")
                results = {
                    name: measure(name, template, kind, seeded[kind], args.seconds, args.connections)
                    for name in order
                }
                rounds.append(results)
                for name in ("floor", "backcast"):
                    result = results[name]
                    row = f"{result.rate:8.0f} {result.p50_ms:8.1f} {result.p99_ms:8.1f} {result.cpu_us:8.0f}"
                    print(f"  {name + f' ({number + 1})':16} {row} {result.errors:7d}")
                    if result.errors > result.requests * 0.01:
                        print(
                            f"  {name}: {result.errors} of {result.requests} requests failed", file=sys.stderr
                        )
                        failed = True
            by_rate = statistics.median(r["backcast"].rate / r["floor"].rate for r in rounds)
            by_cpu = statistics.median(r["floor"].cpu_us / r["backcast"].cpu_us for r in rounds)
            print(f"  backcast / floor, by rate: {by_rate:.2f}; by CPU per request: {by_cpu:.2f}")
            floor = {f: statistics.median(getattr(r["floor"], f) for r in rounds) for f in Result.FIGURES}
            ours = {f: statistics.median(getattr(r["backcast"], f) for r in rounds) for f in Result.FIGURES}
            name = f"{kind}/s, 1 core, vs bare FastAPI + SQLite"
            print(figure_line("rating", name, ours["rate"], "1/s", floor["rate"]))
            print(
                figure_line("rating", f"{kind} request p50, vs floor", ours["p50_ms"], "ms", floor["p50_ms"])
            )
            print(
                figure_line("rating", f"{kind} request p99, vs floor", ours["p99_ms"], "ms", floor["p99_ms"])
            )
            # Steadier than the rate on a shared machine: what one request costs the server's core.
            name = f"{kind} server CPU per request, vs floor"
            print(figure_line("rating", name, ours["cpu_us"], "us", floor["cpu_us"]))
    finally:
        shutil.rmtree(template, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
