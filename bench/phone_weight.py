"""What a phone downloads on first load of the participant page: bytes per asset, gzip'd.

    .venv/bin/python bench/phone_weight.py

Starts a server, joins a workshop in the vision phase, fetches the page and every stylesheet and
script it loads, and prints raw and gzip sizes beside the 40 KB budget.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import httpx2 as httpx
from run import figure_line

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 40 * 1024


class Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.found.append(values["src"] or "")
        if tag == "link" and values.get("rel") in {"stylesheet", "icon"} and values.get("href"):
            self.found.append(values["href"] or "")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from backcast.db import Database, make_engine
    from backcast.services import accounts

    data = Path(tempfile.mkdtemp(prefix="backcast-weight-"))
    env = {**os.environ, "BACKCAST_DATA_DIR": str(data), "BACKCAST_LOG_LEVEL": "warning"}
    subprocess.run(
        [sys.executable, "-m", "backcast.cli", "db", "upgrade"], env=env, check=True, capture_output=True
    )
    port = 8765
    server = subprocess.Popen(
        [sys.executable, "-m", "backcast.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        db = Database(make_engine(f"sqlite:///{data / 'backcast.sqlite3'}"))
        accounts.add_facilitator(db, "weight@example.org", "weight password")
        headers = {"Authorization": f"Bearer {accounts.issue_api_token(db, 'weight@example.org')}"}
        db.dispose()
        body = {"title": "Kreislaufwirtschaft 2045", "present_year": 2026, "vision_year": 2045}
        code = httpx.post(f"{base}/api/v1/workshops", json=body, headers=headers).json()["code"]
        httpx.post(f"{base}/api/v1/workshops/{code}/phase", json={"phase": "vision"}, headers=headers)
        with httpx.Client(base_url=base, follow_redirects=True) as phone:
            phone.post(f"/j/{code}", data={"group": "sme"})
            page = phone.get(f"/w/{code}")
            parser = Assets()
            parser.feed(page.text)
            fetched = [(f"/w/{code} (HTML)", page), *((src, phone.get(src)) for src in parser.found)]
            rows = [(name, response.content, response.num_bytes_downloaded) for name, response in fetched]
    finally:
        server.terminate()
        server.wait(10)
    total_raw = total_gzip = total_served = 0
    print(f"{'asset':48} {'bytes':>9} {'gzip':>9} {'served':>9}")
    for name, content, served in rows:
        packed = len(gzip.compress(content, compresslevel=6))
        total_raw += len(content)
        total_gzip += packed
        total_served += served
        print(f"{name:48} {len(content):9,} {packed:9,} {served:9,}")
    print(f"{'total':48} {total_raw:9,} {total_gzip:9,} {total_served:9,}")
    verdict = "within" if total_served <= BUDGET else "over"
    print(f"budget {BUDGET:,} bytes as served: {verdict} ({total_served / BUDGET:.0%})")
    print(
        figure_line(
            "phone_weight", "phone page, first load, as served vs budget", total_served, "bytes", BUDGET
        )
    )


if __name__ == "__main__":
    main()
