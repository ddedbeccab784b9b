"""The `backcast` command. Errors are one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pydantic import ValidationError

from backcast import __version__, i18n, migrate
from backcast.db import Database
from backcast.demo import DEMO_EMAIL
from backcast.services import accounts
from backcast.services.errors import ServiceError
from backcast.settings import Settings

if TYPE_CHECKING:
    from backcast.demo.seed import DemoAccount


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


def cmd_demo(args: argparse.Namespace) -> None:
    from backcast.demo import content, seed

    settings = _settings()
    if args.live:
        if not 1 <= args.participants <= 200:
            raise CommandError("--participants: from 1 to 200")
        if not 0 < args.minutes <= 240:
            raise CommandError("--minutes: more than 0, at most 240")
        if not 0 < args.speed <= 1000:
            raise CommandError("--speed: more than 0, at most 1000")
    db = _database(settings)
    if args.live and settings.broker == "postgres" and db.dialect != "postgresql":
        db.dispose()
        raise CommandError("BACKCAST_BROKER=postgres needs PostgreSQL as BACKCAST_DATABASE_URL")
    try:
        migrate.check_current(db.engine)
        password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
        account = seed.demo_account(db, args.email, password)
        if args.live:
            workshop = seed.create_demo_workshop(db, account.facilitator, title=f"{content.TITLE} (Probe)")
            print(f'rehearsal workshop {workshop.code} "{workshop.title}", in the lobby')
            _print_demo_access(settings, workshop.code, account, generated=password is None)
            _rehearse(db, settings, workshop.code, args)
        else:
            started = time.perf_counter()
            demo = seed.seed_demo(db, account.facilitator)
            print(
                f'demo workshop {demo.workshop.code} "{demo.workshop.title}": '
                f"{len(demo.participants)} participants, {len(demo.items)} contributions, rated, "
                f"prioritised, results shown ({time.perf_counter() - started:.1f} s)"
            )
            _print_demo_access(settings, demo.workshop.code, account, generated=password is None)
            print("These pages need the server: run `backcast serve` (or `make run`).")
    finally:
        db.dispose()


def _print_demo_access(settings: Settings, code: str, account: DemoAccount, *, generated: bool) -> None:
    from backcast.network import join_url, public_base_url

    base = public_base_url(settings)
    print(f"  console: {base}/facilitate/{code}")
    print(f"  screen:  {base}/w/{code}/screen")
    print(f"  join:    {join_url(settings, code)}")
    email = account.facilitator.email
    if account.password is None:
        print(f"  sign in as {email}, an account that exists already: its password is unchanged")
    elif generated:
        print(f"  sign in as {email} with the password {account.password} (shown only this once)")
    else:
        print(f"  sign in as {email} with the password you gave")


def _rehearse(db: Database, settings: Settings, code: str, args: argparse.Namespace) -> None:
    import asyncio

    from backcast.demo.live import ARRIVALS, Rehearsal
    from backcast.live.feed import SAFETY_POLL_SECONDS

    span, arrivals = _span(args.minutes * 60), _span(ARRIVALS / args.speed)
    print(
        f"{args.participants} simulated participants arrive, most in the first {arrivals}, "
        f"and follow the phases you set in the console for {span}; Ctrl-C ends the rehearsal sooner."
    )
    if settings.broker == "memory":
        print(
            "They write to this database: keep `backcast serve` running on it. With BACKCAST_BROKER=memory "
            f"the server shows their changes within {SAFETY_POLL_SECONDS:g} seconds; set "
            "BACKCAST_BROKER=postgres or redis on both for instant updates."
        )
    else:
        print(
            f"They write to this database and tell the server through the {settings.broker} broker: "
            "keep `backcast serve` running with the same settings."
        )
    sys.stdout.flush()

    def say(line: str) -> None:
        print(line, flush=True)

    rehearsal = Rehearsal(
        db,
        settings,
        code,
        participants=args.participants,
        seconds=args.minutes * 60,
        speed=args.speed,
        seed=args.seed,
        say=say,
    )
    try:
        asyncio.run(rehearsal.run())
    except KeyboardInterrupt:
        print(f"rehearsal stopped: {rehearsal.tally.line()}")
        return
    if rehearsal.deleted:
        print(f"rehearsal over, the workshop was deleted: {rehearsal.tally.line()}")
    else:
        print(f"rehearsal over after {span}: {rehearsal.tally.line()}")


def _span(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.3g} second{'' if seconds == 1 else 's'}"
    return f"{seconds / 60:.3g} minutes"


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

    demo = commands.add_parser(
        "demo", help="create a finished demo workshop, or with --live rehearse one with simulated people"
    )
    demo.add_argument(
        "--live", action="store_true", help="a workshop in the lobby, with simulated participants"
    )
    demo.add_argument(
        "--email", default=DEMO_EMAIL, help=f"the facilitator account to use or create (default {DEMO_EMAIL})"
    )
    demo.add_argument(
        "--password-stdin",
        action="store_true",
        help="a new account's password from standard input instead of a generated one",
    )
    demo.add_argument("--participants", type=int, default=25, help="with --live: how many (default 25)")
    demo.add_argument("--minutes", type=float, default=10, help="with --live: how long (default 10)")
    demo.add_argument(
        "--speed", type=float, default=1, help="with --live: pace, 2 is twice as fast (default 1)"
    )
    demo.add_argument("--seed", type=int, default=2045, help="with --live: random seed (default 2045)")
    demo.set_defaults(handler=cmd_demo)
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
