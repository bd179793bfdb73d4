"""Command-line tasks: ``flask --app parkportal <command>`` (see README.md for cron use)."""

from __future__ import annotations

import re
from datetime import time
from functools import wraps
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select, text

from . import accounts
from .database import driver_message, unavailable
from .extensions import db
from .models import Enterprise, ServiceType


def ensure_service_types() -> int:
    """Make the service catalogue of DESIGN.md exist (idempotent); returns how many were added."""
    from .bookings.vocab import SERVICE_DEFAULTS

    existing = set(db.session.scalars(select(ServiceType.code)))
    added = 0
    for order, (code, (minutes, modes, confirm, topics)) in enumerate(SERVICE_DEFAULTS.items()):
        if code not in existing:
            db.session.add(
                ServiceType(
                    code=code,
                    duration_minutes=minutes,
                    modes=modes,
                    requires_confirmation=confirm,
                    topics=topics,
                    sort_order=order,
                )
            )
            added += 1
    db.session.flush()
    return added


def analyze() -> None:
    """Refresh the planner's statistics and commit: ``ANALYZE`` (SQLite has none until then; ``PRAGMA optimize``
    keeps them current). Run after migrations and after seeding, so lists use the indexes that serve them."""
    db.session.execute(text("ANALYZE"))
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("PRAGMA optimize"))
    db.session.commit()


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Bring the database schema to the latest migration and load the service catalogue."""
    from flask_migrate import upgrade

    upgrade()
    added = ensure_service_types()
    db.session.commit()
    analyze()
    click.echo(f"Database is at the latest migration ({added} service types added).")


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Seed even if the database holds enterprises already.")
@with_appcontext
def seed_demo_command(force: bool):
    """Fill the database with a realistic demo park (enterprises, lawyers, staff, bookings)."""
    from . import demo

    ensure_service_types()
    if not force and db.session.scalar(select(Enterprise.id).limit(1)) is not None:
        click.echo("The database holds data already; nothing seeded (use --force to add the demo anyway).")
        demo.print_logins()
        return
    summary = demo.seed()
    db.session.commit()
    analyze()
    click.echo(summary)
    demo.print_logins()


@click.command("seed-district")
@click.option("--scale", type=click.FloatRange(0.0001, 1.0), default=1.0, show_default=True, help="Shrink every count.")
@click.option("--force", is_flag=True, help="Seed even if the database holds enterprises already.")
@with_appcontext
def seed_district_command(scale: float, force: bool):
    """Fill the database with a district: the demo park plus 10,000 enterprises, 20 lawyers, 200,000 appointments
    over three years and two months ahead, events, downloads and checkups (bulk inserts; a few minutes)."""
    from . import demo, district

    if not force and db.session.scalar(select(Enterprise.id).limit(1)) is not None:
        click.echo("The database holds data already; nothing seeded (use --force to add the district anyway).")
        demo.print_logins()
        return
    with district.bulk_writes():
        ensure_service_types()
        summary = district.seed(scale=scale, echo=click.echo)
        db.session.commit()
    analyze()
    click.echo(summary)
    demo.print_logins()


@click.command("create-user")
@click.option("--role", type=click.Choice(["enterprise", "lawyer", "staff"]), required=True)
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", default="")
@click.option("--enterprise-name", default=None, help="For --role enterprise: the enterprise's name.")
@click.option(
    "--uscc", default=None, help="For --role enterprise: joins this enterprise, creating it (verified) if new."
)
@with_appcontext
def create_user_command(role, email, password, name, enterprise_name, uscc):
    """Create an account; an enterprise user with --uscc joins (or creates) that enterprise."""
    enterprise = None
    if role == "enterprise":
        if not uscc:
            raise click.UsageError("--role enterprise needs --uscc (and --enterprise-name for a new enterprise).")
        if not accounts.uscc_is_valid(uscc):
            raise click.BadParameter(
                "not a valid 统一社会信用代码 (check digit per GB 32100-2015)", param_hint="--uscc"
            )
        enterprise = accounts.find_enterprise_by_uscc(uscc)
        if enterprise is None:
            enterprise = Enterprise(
                name=enterprise_name or f"企业 {accounts.clean_uscc(uscc)}",
                uscc=accounts.clean_uscc(uscc),
                industry="other",
                status="pending",
                source="imported",
            )
            accounts.set_enterprise_status(enterprise, "verified")
            db.session.add(enterprise)
    if accounts.password_problem(password):
        raise click.BadParameter("use at least 8 characters with letters and digits", param_hint="--password")
    try:
        user = accounts.create_user(email=email, password=password, role=role, name=name, enterprise=enterprise)
    except accounts.AccountError as error:
        raise click.ClickException(f"a user with the e-mail address {email} exists already") from error
    from .core import audit

    audit.record("user.created", user, actor=None, role=role, email=user.email, via="cli")
    db.session.commit()
    click.echo(f"Created {role} {user.email} (id {user.id})" + (f" of {enterprise.name}" if enterprise else ""))


WEEKDAY_RANGE = re.compile(r"^([1-7])(?:-([1-7]))?$")


def _parse_weekdays(text: str) -> list[int]:
    days: set[int] = set()
    for part in text.split(","):
        match = WEEKDAY_RANGE.match(part.strip())
        if not match:
            raise click.BadParameter("use ISO weekdays like 1-5 or 1,3,5 (1 = Monday)", param_hint="--weekdays")
        first, last = int(match[1]), int(match[2] or match[1])
        if last < first:
            raise click.BadParameter("a range goes from the smaller to the larger day", param_hint="--weekdays")
        days.update(range(first, last + 1))
    return sorted(days)


def _parse_time(text: str, hint: str) -> time:
    try:
        value = time.fromisoformat(text)
    except ValueError as error:
        raise click.BadParameter("use HH:MM, e.g. 09:00", param_hint=hint) from error
    if value.minute % 30 or value.second:
        raise click.BadParameter("times are on the half hour (bookings use 30-minute units)", param_hint=hint)
    return value


@click.command("set-availability")
@click.argument("email")
@click.option("--weekdays", required=True, help="ISO weekdays, e.g. 1-5 (1 = Monday) or 1,3,5.")
@click.option("--from", "start", required=True, help="Start, HH:MM (Asia/Shanghai).")
@click.option("--to", "end", required=True, help="End, HH:MM (Asia/Shanghai).")
@with_appcontext
def set_availability_command(email, weekdays, start, end):
    """Add a weekly time range to a lawyer's availability."""
    user = accounts.find_user_by_email(email)
    if user is None or not user.is_lawyer:
        raise click.ClickException(f"no lawyer with the e-mail address {email}")
    days = _parse_weekdays(weekdays)
    start_time, end_time = _parse_time(start, "--from"), _parse_time(end, "--to")
    if start_time >= end_time:
        raise click.BadParameter("--to must be later than --from", param_hint="--to")
    from .availability.service import add_weekly_range

    for day in days:
        add_weekly_range(user, day, start_time, end_time)
    db.session.commit()
    click.echo(f"{user.name}: {start}–{end} on weekdays {', '.join(map(str, days))}")


@click.command("send-outbox")
@with_appcontext
def send_outbox_command():
    """Deliver pending e-mails and retry failed ones (run it from cron every minute)."""
    from .notify.outbox import deliver_outbox

    sent, failed = deliver_outbox()
    click.echo(f"sent {sent}, failed {failed}")


@click.command("send-reminders")
@with_appcontext
def send_reminders_command():
    """Queue a reminder for each confirmed booking starting within 24 hours, for each enterprise registered for an
    event the next day, and for each checkup whose follow-up day has come, once each (run it from cron).

    Links in the messages are built on the public address (``PORTAL_URL``), as every external URL is; without one
    (production) nothing is queued and the command says what to set.
    """
    from .bookings.service import queue_reminders
    from .checkups.service import queue_follow_ups
    from .events.service import queue_reminders as queue_event_reminders

    current_app.public_address()
    count = queue_reminders()
    follow_ups = queue_follow_ups()
    db.session.commit()
    events = queue_event_reminders()
    db.session.commit()
    click.echo(f"queued {count} reminders, {events} event reminders")
    click.echo(f"queued {follow_ups} checkup follow-up{'' if follow_ups == 1 else 's'}")


@click.command("import-roster")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Only show what the import would do.")
@with_appcontext
def import_roster_command(path, dry_run):
    """Import the park's roster from an .xlsx or .csv file (the same code path as the staff page)."""
    from .core.errors import DomainError
    from .enterprises import roster

    try:
        plan = roster.plan(roster.read_path(Path(path)))
    except DomainError as error:
        raise click.ClickException(error.message) from None
    for row in plan.with_problems:
        click.echo(f"line {row.line}: {'; '.join(row.problems)}", err=True)
    counts = {action: plan.count(action) for action in ("create", "update", "unchanged", "skip")}
    click.echo(
        f"{counts['create']} new, {counts['update']} updated, {counts['unchanged']} unchanged, "
        f"{counts['skip']} skipped" + (" (dry run: nothing written)" if dry_run else "")
    )
    if not dry_run:
        try:
            roster.apply(plan, None, Path(path).name)
        except DomainError as error:
            raise click.ClickException(error.message) from None
        db.session.commit()


@click.command("issue-token")
@click.option("--name", required=True, help="The platform that will use the token.")
@with_appcontext
def issue_token_command(name):
    """Issue a named API token; the token itself is printed as the last line (it is stored only hashed)."""
    from .core.errors import Invalid
    from .coverage.service import issue_token

    try:
        row, token = issue_token(name, None)
    except Invalid as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"API token {row.id} issued for {row.name!r}; it is shown only now:")
    click.echo(token)


@click.command("backup")
@click.argument("dest")
@with_appcontext
def backup_command(dest: str):
    """Write one archive of the database and the stored files: DEST itself (.tar.gz added if missing), or a dated
    name inside DEST when it is a folder. An existing file is never overwritten; the archive's path is the last
    line printed."""
    from . import backup

    try:
        path, manifest = backup.backup(dest)
    except backup.BackupError as error:
        raise click.ClickException(error.message) from None
    click.echo(
        f"Backed up the {backup.KIND_NAMES[manifest.database]} database (schema revision "
        f"{manifest.alembic_revision or 'none'}) and {manifest.files} stored files, {path.stat().st_size:,} bytes:"
    )
    if manifest.alembic_revision is None:
        click.echo("Warning: the database has no schema revision (not made by init-db); restore will refuse it.")
    click.echo(str(path))


@click.command("restore")
@click.argument("src", type=click.Path(path_type=Path))
@with_appcontext
def restore_command(src: Path):
    """Bring a backup back into an empty database and an empty library folder (checked against its manifest
    first; refused for another database kind or schema revision)."""
    from . import backup

    try:
        manifest = backup.restore(src)
    except backup.BackupError as error:
        raise click.ClickException(error.message) from None
    click.echo(
        f"Restored the {backup.KIND_NAMES[manifest.database]} database (schema revision "
        f"{manifest.alembic_revision}) and {manifest.files} stored files from the backup made at "
        f"{manifest.created_at} by parkportal {manifest.portal_version}."
    )


def ends_database_trouble_cleanly(command: click.Command) -> click.Command:
    """Make ``command`` end with one line naming the problem and exit code 1 when the database can't be reached or
    written (``database.unavailable``), instead of a traceback; any other error is left as it is. Idempotent.

    The wrapper sits outside Flask's ``with_appcontext``, so loading the app is covered too.
    """
    for subcommand in getattr(command, "commands", {}).values():  # a group's own commands
        ends_database_trouble_cleanly(subcommand)
    callback = command.callback
    if callback is None or getattr(callback, "ends_database_trouble_cleanly", False):
        return command

    @wraps(callback)
    def guarded(*args, **kwargs):
        """Run the command; database trouble becomes a ``ClickException`` (``Error: …`` on stderr, exit 1)."""
        try:
            return callback(*args, **kwargs)
        except Exception as error:
            if not unavailable(error):
                raise
            raise click.ClickException(
                f"the database can't be reached or written ({driver_message(error)}). "
                "Check DATABASE_URL and that the database is up and writable, then run the command again."
            ) from None

    guarded.ends_database_trouble_cleanly = True  # type: ignore[attr-defined]
    command.callback = guarded
    return command


def init_app(app: Flask) -> None:
    """Register the commands on the app; every command of ``app.cli`` (these, and any other module registered)
    then ends database trouble with one line and exit code 1 (``ends_database_trouble_cleanly``)."""
    for command in (
        init_db_command,
        seed_demo_command,
        seed_district_command,
        create_user_command,
        set_availability_command,
        send_outbox_command,
        send_reminders_command,
        import_roster_command,
        issue_token_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)
    for command in app.cli.commands.values():
        ends_database_trouble_cleanly(command)
