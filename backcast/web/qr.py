"""QR codes as inline SVG, drawn by segno."""

from __future__ import annotations

from functools import lru_cache

import segno
from markupsafe import Markup


# The screen is redrawn several times a second while people rate; its code stays the same.
@lru_cache(maxsize=256)
def qr_svg(url: str, *, title: str) -> Markup:
    """An SVG that scales to its box; dark on white with a quiet zone, as phone cameras like it."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=1, border=2, dark="#000", light="#fff", title=title, omitsize=True)
    return Markup(svg)
