"""Tokens sent where they do not belong never reach the server's access log."""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.request
from pathlib import Path

from tests import server as real_server

TOKENS = ["bct_" + "F" * 43, "bcp_" + "P" * 43]


def test_tokens_in_a_query_string_are_redacted_in_the_access_log(tmp_path: Path) -> None:
    server = real_server.start(tmp_path / "data", BACKCAST_LOG_LEVEL="info")
    try:
        setup_link = server.setup_link()
        setup_token = setup_link.rsplit("token=", 1)[1]
        for path in (
            f"/api/v1/workshops/ABCDEF?token={TOKENS[0]}",
            f"/w/ABCDEF?x=1&access_token={TOKENS[1]}",
            f"/healthz?bearer={TOKENS[0]}",
            f"/setup?token={setup_token}",
        ):
            # The answer does not matter here, only the log line.
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(server.base_url + path, timeout=5).close()
    finally:
        server.stop()
    access = [line for line in server.output().splitlines() if '"GET ' in line]
    assert len(access) >= 4, server.output()
    logged = "\n".join(access)
    for secret in [*TOKENS, setup_token]:
        assert secret not in logged
    assert logged.count("[redacted]") >= 4
