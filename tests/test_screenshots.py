"""The screenshot script runs on the demo in every phase and writes pictures of the right sizes."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from backcast.enums import PHASE_ORDER
from tests import screenshots
from tests.conftest import IN_CI

pytestmark = pytest.mark.browser


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def test_every_phase_is_pictured_on_console_screen_and_phone(tmp_path: Path) -> None:
    if shutil.which("chromium") is None:
        if IN_CI:
            pytest.fail("Debian's chromium is required under CI=true (make test installs it)")
        pytest.skip("chromium is not installed")
    written = screenshots.take(tmp_path, ["en"])
    sizes = {path.name: png_size(path) for path in written}
    expected = {"console": (1366, 768), "screen": (1920, 1080), "phone": (390, 844)}
    for view, size in expected.items():
        for phase in PHASE_ORDER:
            assert sizes.pop(f"{view}-{phase.value}.png") == size
    assert sizes == {
        "setup.png": (1366, 768),
        "report.png": (1366, 768),
        "study.png": (1366, 768),
        "study-coding.png": (1366, 768),
        "screen-carried.png": (1920, 1080),
    }
