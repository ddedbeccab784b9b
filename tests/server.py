"""A real `backcast serve` process on a free port, for tests that need the whole stack."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[str]
    base_url: str
    log: Path
    handle: IO[str]

    def output(self) -> str:
        return self.log.read_text()

    def setup_link(self) -> str:
        found = re.search(r"(http://\S+/setup\?token=\S+)", self.output())
        assert found, self.output()
        return found.group(1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.handle.close()


def start(data_dir: Path, **env: str) -> Server:
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    environment = {
        "PATH": os.environ["PATH"],
        "PYTHONUNBUFFERED": "1",
        "BACKCAST_DATA_DIR": str(data_dir),
        **env,
    }
    subprocess.run(
        [sys.executable, "-m", "backcast.cli", "db", "upgrade"],
        env=environment,
        check=True,
        capture_output=True,
    )
    log = data_dir / "server.log"
    handle = log.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "backcast.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environment,
        stdout=handle,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(process, f"http://127.0.0.1:{port}", log, handle)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {server.output()}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not answer in 30 s: {server.output()}")
