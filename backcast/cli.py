"""The `backcast` command. Errors are one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from backcast import __version__, i18n, migrate
from backcast.db import Database
from backcast.services import accounts
from backcast.services.errors import ServiceError
from backcast.settings import Settings


class CommandError(Exception):
    """A failure to report as one line."""


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "BACKCAST_" + str(first["loc"][0]).upper() if first["loc"] else "a setting"
        raise CommandError(f"{name}: {first['msg']}") from None


def _database(settings: Settings) -> Database:
    return Database.from_settings(settings)


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from backcast.network import public_base_url
    from backcast.web.auth import setup_token

    settings = _settings()
    host = args.host or settings.host
    port = args.port or settings.port
    settings = settings.model_copy(update={"host": host, "port": port})
    if args.workers > 1 and settings.broker == "memory":
        raise CommandError(
            "several workers need a shared broker: set BACKCAST_BROKER=postgres or redis "
            "(with PostgreSQL as the database), or run one worker"
        )
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        base = public_base_url(settings)
        # Bound to loopback only, the LAN address would not answer; the set-up link is for this machine.
        here = f"http://127.0.0.1:{port}" if host in {"127.0.0.1", "localhost", "::1"} else base
        print(f"backcast {__version__} on http://{host}:{port}", flush=True)
        print(f"Participants join at {base}/join", flush=True)
        if accounts.facilitator_count(db) == 0:
            link = f"{here}/setup?token={setup_token(settings)}"
            print(f"No facilitator account yet. Create the first one here: {link}", flush=True)
    finally:
        db.dispose()
    uvicorn.run(
        "backcast.web.app:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level=settings.log_level,
        proxy_headers=True,
        timeout_graceful_shutdown=5,
    )


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    settings = _settings()
    migrate.upgrade(settings.resolved_database_url, args.revision)
    print(f"database at {args.revision if args.revision != 'head' else migrate.head_revision()}")


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise CommandError("the two passwords differ")
    return first


def cmd_facilitator_add(args: argparse.Namespace) -> None:
    settings = _settings()
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        facilitator = accounts.add_facilitator(db, args.email, _read_password(args), via="cli")
        print(f"facilitator {facilitator.email} added")
    finally:
        db.dispose()


def cmd_token_new(args: argparse.Namespace) -> None:
    settings = _settings()
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        print(accounts.issue_api_token(db, args.email, args.label))
    finally:
        db.dispose()


class ProgressBar:
    """Rows written so far, redrawn in place on a terminal; silent for small exports."""

    def __init__(self, stream: TextIO, minimum: int = 10_000, width: int = 30) -> None:
        self.stream, self.minimum, self.width = stream, minimum, width

    def __call__(self, done: int, total: int) -> None:
        if total < self.minimum:
            return
        filled = self.width * done // total
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\rexporting [{bar}] {done:,}/{total:,} rows")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def cmd_export(args: argparse.Namespace) -> None:
    from backcast.export.exporter import export_workshop
    from backcast.services import workshops

    settings = _settings()
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        exported = export_workshop(
            db,
            workshops.workshop_by_code(db, args.code),
            format_=args.format,
            table=args.table,
            names=args.names,
            secret_key=settings.resolved_secret_key,
            exported_by="backcast export on the command line",
            progress=ProgressBar(sys.stderr) if sys.stderr.isatty() else None,
        )
    finally:
        db.dispose()
    if args.out == "-":
        sys.stdout.buffer.write(exported.content)
        sys.stdout.flush()
        return
    out = Path(args.out or exported.filename)
    # Written beside the target and renamed, so a failed export never leaves half a file behind.
    partial = out.with_name(out.name + ".partial")
    try:
        partial.write_bytes(exported.content)
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CommandError(f"cannot write {out}: {error.strerror}") from None
    print(f"{out}: {len(exported.content):,} bytes")


def cmd_not_yet(args: argparse.Namespace) -> None:
    raise CommandError(f"`backcast {args.command}` is not available in this version yet")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backcast", description="Participatory backcasting workshops.")
    parser.add_argument("--version", action="version", version=f"backcast {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the web server")
    serve.add_argument("--host", help="interface to listen on (default 0.0.0.0, BACKCAST_HOST)")
    serve.add_argument("--port", type=int, help="port (default 8000, BACKCAST_PORT or PORT)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (needs a shared broker)")
    serve.set_defaults(handler=cmd_serve)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="upgrade the schema to this version")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=cmd_db_upgrade)

    facilitator = commands.add_parser("facilitator", help="facilitator accounts")
    facilitator_commands = facilitator.add_subparsers(
        dest="facilitator_command", required=True, metavar="ACTION"
    )
    add = facilitator_commands.add_parser("add", help="add a facilitator account")
    add.add_argument("email")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(handler=cmd_facilitator_add)

    token = commands.add_parser("token", help="API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    new = token_commands.add_parser("new", help="print a new API token for a facilitator")
    new.add_argument("email")
    new.add_argument("--label", default="", help="a note on what the token is for")
    new.set_defaults(handler=cmd_token_new)

    demo = commands.add_parser("demo", help="create a realistic demo workshop")
    demo.set_defaults(handler=cmd_not_yet)
    export = commands.add_parser("export", help="export a workshop's data")
    export.add_argument("code")
    export.add_argument("--format", default="csv", help="csv (default), xlsx, json or datapackage")
    export.add_argument("--table", help="with --format csv: which table (default ratings)")
    export.add_argument(
        "--names", action="store_true", help="include display names where the workshop allows it"
    )
    export.add_argument("--out", help="file to write (default: a name like backcast-CODE.csv; - for stdout)")
    export.set_defaults(handler=cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], None] = args.handler
    try:
        handler(args)
    except CommandError as error:
        print(f"backcast: error: {error}", file=sys.stderr)
        return 1
    except ServiceError as error:
        print(f"backcast: error: {i18n.translate(error.message, 'en', error.params)}", file=sys.stderr)
        return 1
    except migrate.DatabaseBehind as error:
        print(f"backcast: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the promise is one line, whatever failed
        print(f"backcast: error: {type(error).__name__}: {_first_line(error)}", file=sys.stderr)
        return 1
    return 0


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else "unexpected failure"


if __name__ == "__main__":
    sys.exit(main())
