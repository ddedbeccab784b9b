"""The `backcast` command. Errors are one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from pydantic import ValidationError

from backcast import __version__, i18n, migrate
from backcast.db import Database
from backcast.demo import DEMO_EMAIL
from backcast.models import Facilitator
from backcast.services import accounts
from backcast.services.errors import ServiceError
from backcast.settings import Settings

if TYPE_CHECKING:
    from backcast.demo.seed import DemoAccount


class CommandError(Exception):
    """A failure to report as one line."""


def _(msgid: str, /, **params: object) -> str:
    """A message in the terminal's language (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`)."""
    return i18n.gettext(msgid, **params)


def terminal_language(environ: Mapping[str, str] = os.environ) -> str:
    """The first language the environment asks for that backcast speaks, else English; "C" and
    "POSIX" ask for none."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for wanted in environ.get(name, "").split(":"):
            code = wanted.split("_")[0].split(".")[0].lower()
            if code in i18n.available_languages():
                return code
    return i18n.DEFAULT_LANGUAGE


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "BACKCAST_" + str(first["loc"][0]).upper() if first["loc"] else _("a setting")
        raise CommandError(f"{name}: {first['msg']}") from None


def _database(settings: Settings) -> Database:
    return Database.from_settings(settings)


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from backcast.network import LOOPBACK_HOSTS, public_base_url
    from backcast.services.accounts import setup_token
    from backcast.serving import TimedH11Protocol

    settings = _settings()
    host = args.host or settings.host
    port = args.port or settings.port
    settings = settings.model_copy(update={"host": host, "port": port})
    if args.workers > 1 and settings.broker == "memory":
        raise CommandError(
            _(
                "several workers need a shared broker: set BACKCAST_BROKER=postgres or redis "
                "(with PostgreSQL as the database), or run one worker"
            )
        )
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        base = public_base_url(settings)
        # Bound to loopback only, the LAN address would not answer; the set-up link is for this machine.
        here = f"http://127.0.0.1:{port}" if host in LOOPBACK_HOSTS else base
        print(
            _("backcast %(version)s on http://%(host)s:%(port)s", version=__version__, host=host, port=port),
            flush=True,
        )
        print(_("Participants join at %(address)s", address=f"{base}/join"), flush=True)
        if accounts.facilitator_count(db) == 0:
            link = f"{here}/setup?token={setup_token(settings)}"
            print(_("No facilitator account yet. Create the first one here: %(link)s", link=link), flush=True)
    finally:
        db.dispose()
    # The app (in each worker) builds its settings from the environment: it must know the address
    # it really serves on, or the join address and QR code would name the default port.
    os.environ["BACKCAST_HOST"], os.environ["BACKCAST_PORT"] = host, str(port)
    # `backcast demo`, run beside it in another terminal, reads this to print working links. It
    # stays when the server stops (uvicorn ends the process by the signal it got): it then names
    # the port last served on, until the next `serve` writes its own.
    with contextlib.suppress(OSError):
        served = _served_port_file(settings)
        served.parent.mkdir(parents=True, exist_ok=True)
        served.write_text(f"{port}\n")
    uvicorn.run(
        "backcast.app:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level=settings.log_level,
        proxy_headers=True,
        timeout_graceful_shutdown=5,
        # uvicorn's hint says int, but it hands the seconds to asyncio, which takes a fraction too.
        timeout_keep_alive=settings.keep_alive_timeout,  # type: ignore[arg-type]
        http=TimedH11Protocol,
    )


def _served_port_file(settings: Settings) -> Path:
    return settings.data_dir / "served-port"


def _with_served_port(settings: Settings) -> Settings:
    """The settings with the port a running `backcast serve` on this data dir uses, unless the
    environment names one: links printed elsewhere must reach the server really running."""
    if "port" in settings.model_fields_set or settings.public_url:
        return settings
    try:
        port = int(_served_port_file(settings).read_text().strip())
    except (OSError, ValueError):
        return settings
    return settings.model_copy(update={"port": port}) if 1 <= port <= 65535 else settings


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    settings = _settings()
    migrate.upgrade(settings.resolved_database_url, args.revision)
    revision = args.revision if args.revision != "head" else migrate.head_revision()
    print(_("database at %(revision)s", revision=revision))


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(_("Password: "))
    if getpass.getpass(_("Password again: ")) != first:
        raise CommandError(_("the two passwords differ"))
    return first


def cmd_facilitator_add(args: argparse.Namespace) -> None:
    settings = _settings()
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        facilitator = accounts.add_facilitator(db, args.email, _read_password(args), via="cli")
        print(_("facilitator %(email)s added", email=facilitator.email))
    finally:
        db.dispose()


def cmd_facilitator_password(args: argparse.Namespace) -> None:
    settings = _settings()
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        facilitator = accounts.facilitator_by_email(db, args.email)
        if facilitator is None or facilitator.id is None:
            raise CommandError(_("There is no facilitator with this email."))
        accounts.change_password(db, facilitator.id, _read_password(args), via="cli")
        print(_("password of %(email)s changed; every session of the account ended", email=facilitator.email))
    finally:
        db.dispose()


def cmd_token_list(args: argparse.Namespace) -> None:
    settings = _settings()
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        never = _("never")
        for token in accounts.api_tokens_for_email(db, args.email):
            used = token.last_used_at.strftime("%Y-%m-%dT%H:%M:%SZ") if token.last_used_at else never
            created = token.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            print(f"{token.id}\t{created}\t{used}\t{token.label}")
    finally:
        db.dispose()


def cmd_token_revoke(args: argparse.Namespace) -> None:
    settings = _settings()
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        accounts.revoke_api_token(db, args.id, via="cli")
        print(_("token %(id)d revoked", id=args.id))
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


def _acting(db: Database, email: str | None, study_id: int | None = None) -> Facilitator:
    """The account a study command acts as: `--by`, else the study's first facilitator, else the
    server's only account. The command line speaks for the operator, who may act for any of them."""
    from backcast.services import studies

    if email:
        found = accounts.facilitator_by_email(db, email)
        if found is None:
            raise CommandError(_("There is no facilitator with this email."))
        return found
    if study_id is not None:
        first = studies.first_facilitator(db, study_id)
        if first is not None:
            return first
    every = accounts.all_facilitators(db)
    if len(every) != 1:
        raise CommandError(_("name the account to act as with --by EMAIL"))
    return every[0]


def cmd_study_new(args: argparse.Namespace) -> None:
    from backcast.services import studies

    settings = _settings()
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        study = studies.create_study(
            db,
            _acting(db, args.by),
            title=args.title,
            description=args.description,
            template_key=args.template,
            from_workshop=args.from_workshop,
        )
        print(_("study %(id)d created: %(title)s", id=study.id, title=study.title))
    finally:
        db.dispose()


def cmd_study_list(args: argparse.Namespace) -> None:
    from backcast.services import studies

    settings = _settings()
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        for listing in studies.all_studies(db):
            print(f"{listing.study.id}\t{listing.workshops}\t{listing.study.title}")
    finally:
        db.dispose()


def cmd_study_member_add(args: argparse.Namespace) -> None:
    from backcast.services import studies

    settings = _settings()
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        members = studies.add_member(db, _acting(db, args.by, args.id), args.id, args.email, args.role)
        for member in members:
            print(f"{member.id}\t{member.role.value}\t{member.email}")
    finally:
        db.dispose()


def cmd_study_attach(args: argparse.Namespace) -> None:
    from backcast.services import studies

    settings = _settings()
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        workshop = studies.attach_workshop(db, _acting(db, args.by, args.id), args.id, args.code)
        print(_("workshop %(code)s is now in study %(id)d", code=workshop.code, id=args.id))
    finally:
        db.dispose()


def cmd_study_workshop(args: argparse.Namespace) -> None:
    from backcast.services import carrying, studies, study_access

    settings = _settings()
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        if args.items is not None and not args.carry_from:
            raise CommandError(_("--items needs --carry-from"))
        items: list[object] | None = None
        if args.items is not None:
            items = [
                int(part) if part.strip().isascii() and part.strip().isdigit() else part
                for part in args.items.split(",")
                if part.strip()
            ]
        workshop = studies.create_workshop_in_study(
            db,
            _acting(db, args.by, args.id),
            args.id,
            title=args.title,
            language=args.language,
            details=study_access.clean_details(args.region, args.sector, args.held_on, args.venue),
            carry=carrying.clean_request(args.carry_from, items) if args.carry_from else None,
        )
        carried = workshops_items_carried(db, workshop.id)
        print(
            i18n.ngettext(
                "workshop %(code)s “%(title)s” created in study %(id)d; %(num)d item carried over",
                "workshop %(code)s “%(title)s” created in study %(id)d; %(num)d items carried over",
                carried,
                code=workshop.code,
                title=workshop.title,
                id=args.id,
            )
        )
    finally:
        db.dispose()


def workshops_items_carried(db: Database, workshop_id: int | None) -> int:
    from sqlmodel import col, func, select

    from backcast.models import Item

    with db.read() as session:
        return session.exec(
            select(func.count())
            .select_from(Item)
            .where(Item.workshop_id == workshop_id, col(Item.carried_from_item).is_not(None))
        ).one()


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
    from backcast.export.exporter import ExportFile, export_workshop
    from backcast.export.study import export_study
    from backcast.services import workshops

    if (args.code is None) == (args.study is None):
        raise CommandError(_("give a workshop's code or --study ID, not both"))
    if args.study is not None and args.names:
        raise CommandError(_("a study's export carries no names: export a workshop for them"))
    settings = _settings()
    db = _database(settings)
    progress = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    exported: ExportFile
    try:
        migrate.check_current(db.engine)
        if args.study is not None:
            exported = export_study(
                db,
                args.study,
                format_=args.format,
                table=args.table,
                secret_key=settings.resolved_secret_key,
                exported_by="backcast export on the command line",
                progress=progress,
            )
        else:
            exported = export_workshop(
                db,
                workshops.workshop_by_code(db, args.code),
                format_=args.format,
                table=args.table,
                names=args.names,
                secret_key=settings.resolved_secret_key,
                exported_by="backcast export on the command line",
                progress=progress,
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
        raise CommandError(_("cannot write %(file)s: %(reason)s", file=out, reason=error.strerror)) from None
    size = len(exported.content)
    print(
        i18n.ngettext("%(file)s: %(size)s byte", "%(file)s: %(size)s bytes", size, file=out, size=f"{size:,}")
    )


def cmd_retention(args: argparse.Namespace) -> None:
    from backcast.services import participants

    settings = _settings()
    days = settings.retention_days if args.days is None else args.days
    if days < 0:
        raise CommandError(_("--days: 0 or more"))
    if days == 0:
        print(_("retention is off: set BACKCAST_RETENTION_DAYS or pass --days; nothing changed"))
        return
    db = _database(settings)
    try:
        migrate.check_current(db.engine)
        changed = participants.anonymise_closed_workshops(db, days)
    finally:
        db.dispose()
    for code, count in changed.items():
        print(
            i18n.ngettext(
                "%(code)s: %(num)d participant's name and token removed",
                "%(code)s: %(num)d participants' names and tokens removed",
                count,
                code=code,
            )
        )
    print(
        i18n.ngettext(
            "%(num)d workshop closed for %(days)d days or more: names and tokens removed",
            "%(num)d workshops closed for %(days)d days or more: names and tokens removed",
            len(changed),
            days=days,
        )
    )


def cmd_demo(args: argparse.Namespace) -> None:
    from backcast.demo import content, seed

    settings = _settings()
    if args.live:
        if not 1 <= args.participants <= 200:
            raise CommandError(_("--participants: from 1 to 200"))
        if not 0 < args.minutes <= 240:
            raise CommandError(_("--minutes: more than 0, at most 240"))
        if not 0 < args.speed <= 1000:
            raise CommandError(_("--speed: more than 0, at most 1000"))
    db = _database(settings)
    if args.live and settings.broker == "postgres" and db.dialect != "postgresql":
        db.dispose()
        raise CommandError(_("BACKCAST_BROKER=postgres needs PostgreSQL as BACKCAST_DATABASE_URL"))
    try:
        migrate.check_current(db.engine)
        password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
        account = seed.demo_account(db, args.email, password)
        if args.study:
            _seed_demo_study(settings, db, account, generated=password is None)
        elif args.live:
            workshop = seed.create_demo_workshop(db, account.facilitator, title=f"{content.TITLE} (Probe)")
            print(
                _(
                    "rehearsal workshop %(code)s “%(title)s”, in the lobby",
                    code=workshop.code,
                    title=workshop.title,
                )
            )
            _print_demo_access(settings, workshop.code, account, generated=password is None)
            _rehearse(db, settings, workshop.code, args)
        else:
            started = time.perf_counter()
            demo = seed.seed_demo(db, account.facilitator)
            print(
                _(
                    "demo workshop %(code)s “%(title)s”: %(participants)d participants, %(items)d "
                    "contributions, rated, prioritised, results shown (%(seconds)s s)",
                    code=demo.workshop.code,
                    title=demo.workshop.title,
                    participants=len(demo.participants),
                    items=len(demo.items),
                    seconds=f"{time.perf_counter() - started:.1f}",
                )
            )
            _print_demo_access(settings, demo.workshop.code, account, generated=password is None)
            print(_("These pages need the server: run `backcast serve` (or `make run`)."))
    finally:
        db.dispose()


def _seed_demo_study(settings: Settings, db: Database, account: DemoAccount, *, generated: bool) -> None:
    from backcast.demo import study_seed
    from backcast.network import public_base_url

    started = time.perf_counter()
    demo = study_seed.seed_study(db, account.facilitator)
    print(
        _(
            "demo study %(id)d “%(title)s”: three regional workshops of 25 participants each, "
            "coded in part by two researchers (%(seconds)s s)",
            id=demo.study.id,
            title=demo.study.title,
            seconds=f"{time.perf_counter() - started:.1f}",
        )
    )
    base = public_base_url(_with_served_port(settings))
    print("  " + _("study:   %(address)s", address=f"{base}/studies/{demo.study.id}"))
    print("  " + _("coding:  %(address)s", address=f"{base}/studies/{demo.study.id}/coding"))
    _print_sign_in(account, generated=generated)
    print(_("These pages need the server: run `backcast serve` (or `make run`)."))


def _print_demo_access(settings: Settings, code: str, account: DemoAccount, *, generated: bool) -> None:
    from backcast.network import join_url, public_base_url

    settings = _with_served_port(settings)
    base = public_base_url(settings)
    print("  " + _("console: %(address)s", address=f"{base}/facilitate/{code}"))
    print("  " + _("screen:  %(address)s", address=f"{base}/w/{code}/screen"))
    print("  " + _("join:    %(address)s", address=join_url(settings, code)))
    _print_sign_in(account, generated=generated)


def _print_sign_in(account: DemoAccount, *, generated: bool) -> None:
    email = account.facilitator.email
    if account.password is None:
        print(
            "  "
            + _(
                "sign in as %(email)s, an account that exists already: its password is unchanged", email=email
            )
        )
    elif generated:
        print(
            "  "
            + _(
                "sign in as %(email)s with the password %(password)s (shown only this once)",
                email=email,
                password=account.password,
            )
        )
    else:
        print("  " + _("sign in as %(email)s with the password you gave", email=email))


def _rehearse(db: Database, settings: Settings, code: str, args: argparse.Namespace) -> None:
    import asyncio

    from backcast.demo.live import ARRIVALS, Rehearsal
    from backcast.live.feed import SAFETY_POLL_SECONDS

    span, arrivals = _span(args.minutes * 60), _span(ARRIVALS / args.speed)
    print(
        i18n.ngettext(
            "%(num)d simulated participant arrives, within the first %(arrivals)s, and follows the "
            "phases you set in the console for %(span)s; Ctrl-C ends the rehearsal sooner.",
            "%(num)d simulated participants arrive, most in the first %(arrivals)s, and follow the "
            "phases you set in the console for %(span)s; Ctrl-C ends the rehearsal sooner.",
            args.participants,
            arrivals=arrivals,
            span=span,
        )
    )
    if settings.broker == "memory":
        print(
            _(
                "They write to this database: keep `backcast serve` running on it. With "
                "BACKCAST_BROKER=memory the server shows their changes within %(seconds)s seconds; set "
                "BACKCAST_BROKER=postgres or redis on both for instant updates.",
                seconds=f"{SAFETY_POLL_SECONDS:g}",
            )
        )
    else:
        print(
            _(
                "They write to this database and tell the server through the %(broker)s broker: keep "
                "`backcast serve` running with the same settings.",
                broker=settings.broker,
            )
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
    # Started from a shell's background job (or by a parent that does), SIGINT arrives ignored and
    # Python leaves it so: Ctrl-C or the parent's interrupt would then never end the rehearsal.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        asyncio.run(rehearsal.run())
    except KeyboardInterrupt:
        print(_("rehearsal stopped: %(tally)s", tally=rehearsal.tally.line()))
        return
    if rehearsal.deleted:
        print(_("rehearsal over, the workshop was deleted: %(tally)s", tally=rehearsal.tally.line()))
    else:
        print(_("rehearsal over after %(span)s: %(tally)s", span=span, tally=rehearsal.tally.line()))


def _span(seconds: float) -> str:
    if seconds < 90:
        return i18n.ngettext(
            "%(seconds)s second", "%(seconds)s seconds", 1 if seconds == 1 else 2, seconds=f"{seconds:.3g}"
        )
    minutes = seconds / 60
    return i18n.ngettext(
        "%(minutes)s minute", "%(minutes)s minutes", 1 if minutes == 1 else 2, minutes=f"{minutes:.3g}"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backcast", description=_("Participatory backcasting workshops."))
    parser.add_argument("--version", action="version", version=f"backcast {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help=_("run the web server"))
    serve.add_argument("--host", help=_("interface to listen on (default 0.0.0.0, BACKCAST_HOST)"))
    serve.add_argument("--port", type=int, help=_("port (default 8000, BACKCAST_PORT or PORT)"))
    serve.add_argument("--workers", type=int, default=1, help=_("worker processes (needs a shared broker)"))
    serve.set_defaults(handler=cmd_serve)

    db = commands.add_parser("db", help=_("database schema"))
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help=_("upgrade the schema to this version"))
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=cmd_db_upgrade)

    facilitator = commands.add_parser("facilitator", help=_("facilitator accounts"))
    facilitator_commands = facilitator.add_subparsers(
        dest="facilitator_command", required=True, metavar="ACTION"
    )
    add = facilitator_commands.add_parser("add", help=_("add a facilitator account"))
    add.add_argument("email")
    add.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))
    add.set_defaults(handler=cmd_facilitator_add)
    password = facilitator_commands.add_parser(
        "password", help=_("set a facilitator's password; ends every session of the account")
    )
    password.add_argument("email")
    password.add_argument(
        "--password-stdin", action="store_true", help=_("read the password from standard input")
    )
    password.set_defaults(handler=cmd_facilitator_password)

    token = commands.add_parser("token", help=_("API tokens"))
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    new = token_commands.add_parser("new", help=_("print a new API token for a facilitator"))
    new.add_argument("email")
    new.add_argument("--label", default="", help=_("a note on what the token is for"))
    new.set_defaults(handler=cmd_token_new)
    listing = token_commands.add_parser(
        "list", help=_("list a facilitator's API tokens: id, created, last used, label")
    )
    listing.add_argument("email")
    listing.set_defaults(handler=cmd_token_list)
    revoke = token_commands.add_parser("revoke", help=_("revoke an API token by its id"))
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=cmd_token_revoke)

    retention = commands.add_parser(
        "retention",
        help=_("remove the participants' names and tokens of workshops closed for the retention period"),
    )
    retention.add_argument(
        "--days",
        type=int,
        help=_("closed for at least this many days (default BACKCAST_RETENTION_DAYS)"),
    )
    retention.set_defaults(handler=cmd_retention)

    demo = commands.add_parser(
        "demo", help=_("create a finished demo workshop, or with --live rehearse one with simulated people")
    )
    modes = demo.add_mutually_exclusive_group()
    modes.add_argument(
        "--live", action="store_true", help=_("a workshop in the lobby, with simulated participants")
    )
    modes.add_argument(
        "--study",
        action="store_true",
        help=_("a study of three regional workshops, finished and coded in part by two researchers"),
    )
    demo.add_argument(
        "--email",
        default=DEMO_EMAIL,
        help=_("the facilitator account to use or create (default %(email)s)", email=DEMO_EMAIL),
    )
    demo.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("a new account's password from standard input instead of a generated one"),
    )
    demo.add_argument("--participants", type=int, default=25, help=_("with --live: how many (default 25)"))
    demo.add_argument("--minutes", type=float, default=10, help=_("with --live: how long (default 10)"))
    demo.add_argument(
        "--speed", type=float, default=1, help=_("with --live: pace, 2 is twice as fast (default 1)")
    )
    demo.add_argument("--seed", type=int, default=2045, help=_("with --live: random seed (default 2045)"))
    demo.set_defaults(handler=cmd_demo)
    export = commands.add_parser("export", help=_("export a workshop's or a whole study's data"))
    export.add_argument("code", nargs="?", help=_("the workshop's code"))
    export.add_argument(
        "--study",
        type=int,
        metavar="ID",
        help=_("export the study ID: all its workshops, themes and codings"),
    )
    export.add_argument("--format", default="csv", help=_("csv (default), xlsx, json or datapackage"))
    export.add_argument("--table", help=_("with --format csv: which table (default ratings)"))
    export.add_argument(
        "--names", action="store_true", help=_("include display names where the workshop allows it")
    )
    export.add_argument(
        "--out", help=_("file to write (default: a name like backcast-CODE.csv; - for stdout)")
    )
    export.set_defaults(handler=cmd_export)

    study = commands.add_parser("study", help=_("studies: series of workshops with one codebook"))
    study_commands = study.add_subparsers(dest="study_command", required=True, metavar="ACTION")
    by_help = _("the account to act as (default: the study's first facilitator, or the only account)")
    study_new = study_commands.add_parser("new", help=_("create a study; prints its id"))
    study_new.add_argument("title")
    study_new.add_argument("--description", default="")
    source = study_new.add_mutually_exclusive_group()
    source.add_argument("--template", help=_("the template the codebook comes from (default generic)"))
    source.add_argument("--from-workshop", metavar="CODE", help=_("take the codebook from this workshop"))
    study_new.add_argument("--by", metavar="EMAIL", help=by_help)
    study_new.set_defaults(handler=cmd_study_new)
    study_list = study_commands.add_parser("list", help=_("list studies: id, workshops, title"))
    study_list.set_defaults(handler=cmd_study_list)
    member = study_commands.add_parser("member", help=_("a study's members"))
    member_commands = member.add_subparsers(dest="member_command", required=True, metavar="ACTION")
    member_add = member_commands.add_parser("add", help=_("add an account to a study in a role"))
    member_add.add_argument("id", type=int)
    member_add.add_argument("email")
    member_add.add_argument("--role", required=True, choices=["researcher", "facilitator"])
    member_add.add_argument("--by", metavar="EMAIL", help=by_help)
    member_add.set_defaults(handler=cmd_study_member_add)
    attach = study_commands.add_parser(
        "attach", help=_("put a workshop whose criteria and groups fit into a study")
    )
    attach.add_argument("id", type=int)
    attach.add_argument("code")
    attach.add_argument("--by", metavar="EMAIL", help=by_help)
    attach.set_defaults(handler=cmd_study_attach)
    new_workshop = study_commands.add_parser(
        "workshop",
        help=_("create a workshop in a study, optionally starting from another one's vision and milestones"),
    )
    new_workshop.add_argument("id", type=int)
    new_workshop.add_argument("title")
    new_workshop.add_argument("--language", default="de", choices=["de", "en"])
    new_workshop.add_argument("--region", default="")
    new_workshop.add_argument("--sector", default="")
    new_workshop.add_argument("--held-on", default="", metavar="YYYY-MM-DD")
    new_workshop.add_argument("--venue", default="")
    new_workshop.add_argument(
        "--carry-from",
        metavar="CODE",
        help=_("a workshop of the study whose vision and milestones the new one starts from"),
    )
    new_workshop.add_argument(
        "--items", metavar="ID,ID", help=_("with --carry-from: only these items (default all)")
    )
    new_workshop.add_argument("--by", metavar="EMAIL", help=by_help)
    new_workshop.set_defaults(handler=cmd_study_workshop)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    i18n.current_language.set(terminal_language())
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], None] = args.handler
    try:
        handler(args)
    except CommandError as error:
        print(_("backcast: error: %(problem)s", problem=error), file=sys.stderr)
        return 1
    except ServiceError as error:
        print(_("backcast: error: %(problem)s", problem=_(error.message, **error.params)), file=sys.stderr)
        return 1
    except migrate.DatabaseBehind as error:
        print(_("backcast: error: %(problem)s", problem=_(error.message, **error.params)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the promise is one line, whatever failed
        problem = f"{type(error).__name__}: {_first_line(error)}"
        print(_("backcast: error: %(problem)s", problem=problem), file=sys.stderr)
        return 1
    return 0


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else "unexpected failure"


if __name__ == "__main__":
    sys.exit(main())
