"""docs/events.md and docs/settings.md, written from the event classes and the settings class.

`python -m backcast.docsgen` (or `make docs`) writes both; `--check` only says whether they are
current. A test runs the check, so a new event or setting cannot go undocumented.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from backcast.events import EVENT_TYPES, Event
from backcast.paths import ROOT
from backcast.settings import Settings

GENERATED = "<!-- Written by `make docs` (python -m backcast.docsgen) from {source}: edit there. -->"

EVENTS_INTRO = """\
# Events

Every change to a workshop appends one event to its log, numbered `seq` from 1 without gaps.
The log is the audit trail, the research log and the source of the live stream
(`GET /api/v1/workshops/{code}/events`). Each event has a past-tense kebab-case `type`, a
`seq`, the `actor` (`facilitator:<id>`, `participant:<id>`, `system`, or `erased` once that
participant's data was deleted), a time, and the payload below. Payloads never contain tokens,
password hashes or display names. Entries are never changed, with one exception: deleting a
participant's data erases what the log holds of them (see `participant-deleted`).
"""

SETTINGS_INTRO = """\
# Settings

Every setting is an environment variable with the prefix `BACKCAST_`. An empty value counts as
unset, so `BACKCAST_PUBLIC_URL=` falls back to the default. `backcast serve`, `backcast db upgrade`
and the other commands read the same settings.
"""

SETTINGS_OUTRO = """\
With the `redis` or `postgres` broker, every server process counts the rate limits together (in
Redis, or in the database's `rate_hit` table); with the `memory` broker there is one process.
Behind a reverse proxy, `backcast serve` takes the client's address from `X-Forwarded-For` when the
proxy runs on the same machine (uvicorn's `--forwarded-allow-ips`, default `127.0.0.1`); otherwise
every phone would share the proxy's address and its limits.
"""


def _annotation(cls: type, name: str) -> str:
    """The field's type as written in the class (the modules postpone annotations)."""
    for klass in cls.__mro__:
        written = inspect.get_annotations(klass).get(name)
        if written is not None:
            return str(written)
    raise LookupError(f"{cls.__name__}.{name} has no annotation")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _event_section(cls: type[Event]) -> str:
    doc = inspect.cleandoc(cls.__doc__ or "")
    summary, _, more = doc.partition("\n\n")
    lines = [f"## `{cls.type}`", "", summary, ""]
    if cls.model_fields:
        lines += ["| field | type |", "|---|---|"]
        lines += [f"| `{name}` | `{_cell(_annotation(cls, name))}` |" for name in cls.model_fields]
        lines.append("")
    if more:
        lines += [more, ""]
    return "\n".join(lines)


def events_page() -> str:
    classes = list(EVENT_TYPES.values())
    account = ", ".join(f"`{cls.type}`" for cls in classes if cls.account)
    parts = [
        EVENTS_INTRO,
        GENERATED.format(source="backcast/events.py") + "\n",
        textwrap.fill(
            f"Changes to accounts ({account}) belong to no workshop and go to the account log instead.",
            width=100,
            break_on_hyphens=False,
        )
        + "\n",
        *(_event_section(cls) for cls in classes),
    ]
    return "\n".join(parts).rstrip("\n") + "\n"


def _default(field: FieldInfo) -> str:
    value: Any = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    return f"`{value}`"


def settings_page() -> str:
    prefix = Settings.model_config.get("env_prefix", "")
    rows = [
        f"| `{prefix}{name.upper()}` | `{_cell(_annotation(Settings, name))}` | {_default(field)} "
        f"| {_cell(field.description or '')} |"
        for name, field in Settings.model_fields.items()
    ]
    table = "\n".join(["| variable | type | default | meaning |", "|---|---|---|---|", *rows])
    parts = [
        SETTINGS_INTRO,
        GENERATED.format(source="backcast/settings.py") + "\n",
        table + "\n",
        SETTINGS_OUTRO,
    ]
    return "\n".join(parts)


def pages() -> dict[Path, str]:
    return {ROOT / "docs" / "events.md": events_page(), ROOT / "docs" / "settings.md": settings_page()}


def stale() -> list[Path]:
    """The pages whose committed text is not what the classes say now."""
    return [path for path, text in pages().items() if not path.exists() or path.read_text() != text]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backcast.docsgen", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report pages that are not current")
    args = parser.parse_args(argv)
    if args.check:
        for path in stale():
            print(f"{path.relative_to(ROOT)} is not current: run `make docs`", file=sys.stderr)
        return 1 if stale() else 0
    for path, text in pages().items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
