"""The command line: init-db, seed-demo, create-user, set-availability (parsing), send-outbox; every command ends
database trouble (unreachable, unwritable) with one line and exit code 1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import time

import pytest
from sqlalchemy import func, make_url, select

from parkportal import ROOT
from parkportal.config import ENV_KEYS
from parkportal.demo import DEMO_PASSWORD
from parkportal.extensions import db
from parkportal.models import ApiToken, AuditLog, AvailabilityRule, Enterprise, ServiceType, User

from . import factories


def count(app, model) -> int:
    """How many rows ``model`` has."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def assert_clean_failure(result, *words: str) -> None:
    """The command failed with a non-zero exit code and a message, not a traceback."""
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output


# -- init-db and seed-demo ---------------------------------------------------------------------------------


def test_init_db_and_seed_demo_on_an_empty_database(make_app, empty_database_url):
    """init-db migrates an empty database and loads the service types; seed-demo adds the demo park once."""
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "6 service types added" in result.output
    assert count(app, ServiceType) == 6
    assert runner.invoke(args=["init-db"]).output.strip().endswith("(0 service types added).")

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Seeded 84 enterprises" in result.output
    assert "demo@jiangnan-zhizao.com" in result.output and DEMO_PASSWORD in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Enterprise.status == "pending")) > 0
        roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
        assert roles["staff"] == 2 and roles["lawyer"] == 3 and roles["enterprise"] > 10
        demo = db.session.scalars(select(User).where(User.email == "demo@jiangnan-zhizao.com")).one()
        assert demo.check_password(DEMO_PASSWORD) and demo.enterprise.is_verified
        assert db.session.scalar(select(func.count()).select_from(AvailabilityRule)) > 0
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "wangli@fudu-park.gov.cn", "password": DEMO_PASSWORD})
    assert response.status_code == 303

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "nothing seeded" in again.output
    assert count(app, Enterprise) == 84


# -- create-user -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "lawyer"])
def test_create_staff_and_lawyer(app, runner, role):
    """create-user makes a staff or lawyer account that can sign in, and audits it."""
    result = runner.invoke(
        args=["create-user", "--role", role, "--email", "New@Example.cn", "--password", "Strong2024", "--name", "新人"]
    )
    assert result.exit_code == 0, result.output
    assert f"Created {role} new@example.cn" in result.output
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert (user.role, user.name, user.email) == (role, "新人", "new@example.cn")
        assert (user.lawyer_profile is not None) is (role == "lawyer")
        entry = db.session.scalars(select(AuditLog)).one()
        assert (entry.action, entry.actor_id, entry.details["via"]) == ("user.created", None, "cli")
    assert (
        app.test_client().post("/auth/login", data={"email": "new@example.cn", "password": "Strong2024"}).status_code
        == 303
    )


def test_enterprise_user_with_new_uscc_creates_a_verified_enterprise(app, runner):
    """An enterprise user with an unknown --uscc creates that enterprise, verified, and joins it."""
    code = factories.uscc()
    result = runner.invoke(
        args=[
            "create-user", "--role", "enterprise", "--email", "boss@firm.cn", "--password", "Strong2024",
            "--enterprise-name", "常州命令行科技有限公司", "--uscc", code.lower(),
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "常州命令行科技有限公司" in result.output
    with app.app_context():
        enterprise = db.session.scalars(select(Enterprise)).one()
        assert (enterprise.name, enterprise.uscc, enterprise.status) == ("常州命令行科技有限公司", code, "verified")
        assert enterprise.verified_at is not None
        assert [u.email for u in enterprise.users] == ["boss@firm.cn"]


def test_enterprise_user_with_known_uscc_joins_that_enterprise(app, runner):
    """An enterprise user with the --uscc of an enterprise on the roster joins it; nothing is duplicated."""
    with app.app_context():
        enterprise = factories.enterprise(status="pending")
        db.session.commit()
        enterprise_id, code = enterprise.id, enterprise.uscc
    result = runner.invoke(
        args=["create-user", "--role", "enterprise", "--email", "x@firm.cn", "--password", "Strong2024", "--uscc", code]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 1
        user = db.session.scalars(select(User)).one()
        assert user.enterprise_id == enterprise_id
        assert db.session.get(Enterprise, enterprise_id).status == "pending"  # joining doesn't verify


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--role", "enterprise", "--uscc", "91320404MA1X2Y3Z4A"], ["--uscc", "统一社会信用代码"]),
        (["--role", "enterprise", "--uscc", "9132"], ["--uscc"]),
        (["--role", "enterprise"], ["--uscc"]),
        (["--role", "staff", "--password", "weak"], ["--password", "8 characters"]),
        (["--role", "admin"], ["--role"]),
    ],
    ids=["bad-check-digit", "short-uscc", "enterprise-without-uscc", "weak-password", "unknown-role"],
)
def test_create_user_refuses_bad_input_cleanly(app, runner, args, words):
    """Bad input gives an error message and a non-zero exit, and writes nothing."""
    base = {"--email": "new@example.cn", "--password": "Strong2024"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    result = runner.invoke(args=["create-user", *[part for pair in base.items() for part in pair]])
    assert_clean_failure(result, *words)
    assert count(app, User) == 0 and count(app, Enterprise) == 0


@pytest.mark.parametrize("role", ["staff", "enterprise"])
def test_create_user_refuses_a_taken_email(app, runner, role):
    """A duplicate e-mail address (any case) is refused cleanly; no enterprise is left behind."""
    with app.app_context():
        email = factories.lawyer().email
        db.session.commit()
    extra = ["--uscc", factories.uscc(), "--enterprise-name", "新企业"] if role == "enterprise" else []
    result = runner.invoke(
        args=["create-user", "--role", role, "--email", email.upper(), "--password", "Strong2024", *extra]
    )
    assert_clean_failure(result, "exists already")
    assert result.exit_code == 1
    assert count(app, User) == 1 and count(app, Enterprise) == 0


# -- set-availability (argument parsing; the slot logic is tested with bookings) ---------------------------


@pytest.fixture
def lawyer_email(app) -> str:
    """A lawyer without availability."""
    with app.app_context():
        email = factories.lawyer().email
        db.session.commit()
        return email


def rules(app) -> list[tuple[int, time, time]]:
    """The weekly rules in the database."""
    with app.app_context():
        rows = db.session.execute(
            select(AvailabilityRule.weekday, AvailabilityRule.start_time, AvailabilityRule.end_time).order_by(
                AvailabilityRule.weekday, AvailabilityRule.start_time
            )
        )
        return [tuple(row) for row in rows]


@pytest.mark.parametrize(
    ("weekdays", "expected_days"),
    [("1-5", [1, 2, 3, 4, 5]), ("1,3,5", [1, 3, 5]), ("6", [6]), ("1-2,7", [1, 2, 7])],
)
def test_set_availability_adds_weekly_rules(app, runner, lawyer_email, weekdays, expected_days):
    """set-availability adds the range on each ISO weekday given."""
    result = runner.invoke(
        args=["set-availability", lawyer_email, "--weekdays", weekdays, "--from", "09:00", "--to", "17:30"]
    )
    assert result.exit_code == 0, result.output
    assert rules(app) == [(day, time(9), time(17, 30)) for day in expected_days]


@pytest.mark.parametrize(
    ("options", "word"),
    [
        (["--weekdays", "0-5", "--from", "09:00", "--to", "17:00"], "--weekdays"),
        (["--weekdays", "5-1", "--from", "09:00", "--to", "17:00"], "--weekdays"),
        (["--weekdays", "1-8", "--from", "09:00", "--to", "17:00"], "--weekdays"),
        (["--weekdays", "mon", "--from", "09:00", "--to", "17:00"], "--weekdays"),
        (["--weekdays", "1-5", "--from", "9am", "--to", "17:00"], "--from"),
        (["--weekdays", "1-5", "--from", "09:15", "--to", "17:00"], "--from"),
        (["--weekdays", "1-5", "--from", "09:00", "--to", "25:00"], "--to"),
        (["--weekdays", "1-5", "--from", "12:00", "--to", "09:00"], "--to"),
        (["--weekdays", "1-5", "--from", "09:00", "--to", "09:00"], "--to"),
        (["--weekdays", "1-5", "--from", "09:00"], "--to"),
    ],
)
def test_set_availability_refuses_bad_arguments(app, runner, lawyer_email, options, word):
    """Bad weekdays or times are refused with a message naming the option; no rule is added."""
    result = runner.invoke(args=["set-availability", lawyer_email, *options])
    assert_clean_failure(result, word)
    assert rules(app) == []


def test_set_availability_needs_a_lawyer(app, runner):
    """Only a lawyer's e-mail address is accepted."""
    with app.app_context():
        staff_email = factories.staff().email
        db.session.commit()
    for email in (staff_email, "nobody@example.cn"):
        result = runner.invoke(
            args=["set-availability", email, "--weekdays", "1-5", "--from", "09:00", "--to", "17:00"]
        )
        assert_clean_failure(result, "no lawyer")
    assert rules(app) == []


# -- database trouble: one line and exit code 1, never a traceback -------------------------------------------

#: Arguments that take each command of the portal as far as its database; a command without a row fails
#: ``test_every_command_has_a_row``, so a new one is tried against an outage too.
COMMAND_ARGS = {
    "db": ["upgrade"],  # Flask-Migrate's group: each of its commands is guarded as well
    "init-db": [],
    "seed-demo": [],
    "seed-district": ["--scale", "0.0001"],
    "create-user": ["--role", "staff", "--email", "cli@fudu-park.gov.cn", "--password", "Passw0rd1"],
    "set-availability": ["chenming@changxin-law.cn", "--weekdays", "1-5", "--from", "09:00", "--to", "17:00"],
    "send-outbox": [],
    "send-reminders": [],
    "import-roster": ["{roster}"],
    "issue-token": ["--name", "Platform"],
    "backup": ["{folder}/copy"],
    "restore": ["{archive}"],
}

#: The one line every command ends with when its database can't be reached or written.
TROUBLE = "Error: the database can't be reached or written ("


def closed_port() -> int:
    """A local TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def unreachable_urls(tmp_path) -> dict[str, str]:
    """Database URLs where no database is: a SQLite file in a folder that doesn't exist, a PostgreSQL port where
    nothing listens (as ``tests/test_outage.py`` makes its outages)."""
    return {
        "sqlite": "sqlite:///" + str(tmp_path / "gone" / "away" / "db.sqlite3"),
        "postgresql": f"postgresql+psycopg://parkportal:parkportal@127.0.0.1:{closed_port()}/parkportal",
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> str:
    """A backup archive of an empty SQLite portal (for ``restore``, which reads its manifest before the database)."""
    from parkportal import create_app

    folder = tmp_path_factory.mktemp("archive")
    portal = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(folder / "source.sqlite3"),
            "TESTING": True,
            "SECRET_KEY": "cli-archive-secret-long-enough",
            "LIBRARY_STORAGE_DIR": str(folder / "library"),
        }
    )
    with portal.app_context():
        db.create_all()
    result = portal.test_cli_runner().invoke(args=["backup", str(folder / "backup")])
    with portal.app_context():
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def arguments(name: str, tmp_path, archive: str) -> list[str]:
    """The command's arguments of ``COMMAND_ARGS`` with its files made in ``tmp_path``."""
    roster = tmp_path / "roster.csv"
    roster.write_text(f"企业名称,统一社会信用代码\n常州示例科技有限公司,{factories.uscc()}\n", encoding="utf-8")
    values = {"roster": str(roster), "folder": str(tmp_path), "archive": archive}
    return [arg.format(**values) for arg in COMMAND_ARGS[name]]


def assert_one_line(output: str, start: str = TROUBLE) -> None:
    """The output is exactly one line, starting with ``start``, and holds no trace (besides the migrations' own
    progress lines, which ``init-db`` and ``db upgrade`` always log)."""
    lines = [line for line in output.strip().splitlines() if not line.startswith("INFO  [alembic.")]
    assert len(lines) == 1 and lines[0].startswith(start), output
    assert "Traceback" not in output and "sqlalche.me" not in output


def test_every_command_has_a_row(app):
    """Every command the portal registers is in ``COMMAND_ARGS`` and ends database trouble cleanly, the commands of
    a group (Flask-Migrate's ``db``) too."""
    assert sorted(app.cli.commands) == sorted(COMMAND_ARGS)
    commands = [*app.cli.commands.values(), *app.cli.commands["db"].commands.values()]
    assert all(command.callback.ends_database_trouble_cleanly for command in commands)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
@pytest.mark.parametrize("name", sorted(COMMAND_ARGS))
def test_every_command_ends_an_unreachable_database_with_one_line(make_app, tmp_path, archive, name, kind):
    """With the database unreachable (a SQLite folder that doesn't exist, a PostgreSQL port where nothing listens)
    every command exits 1 with one line naming the problem, no traceback."""
    portal = make_app(SQLALCHEMY_DATABASE_URI=unreachable_urls(tmp_path)[kind], PORTAL_URL="https://portal.example")
    result = portal.test_cli_runner().invoke(args=[name, *arguments(name, tmp_path, archive)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    if name in ("backup", "restore") and kind == "sqlite":
        assert_one_line(result.output, "Error: ")  # their own check names the missing file first
        assert "db.sqlite3" in result.output or "database" in result.output
    else:
        assert_one_line(result.output)
        assert ("unable to open database file" if kind == "sqlite" else "Connection refused") in result.output


@pytest.mark.parametrize("name", ["create-user", "issue-token", "init-db"])
def test_an_unwritable_database_ends_with_one_line_and_writes_nothing(app, make_app, tmp_path, name):
    """With the database readable but not writable (SQLite opened read-only, PostgreSQL whose transactions are all
    read-only, as on a standby) a command that writes exits 1 with one line, and no row is written."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        unwritable = "sqlite:///file:" + make_url(url).database + "?mode=ro&uri=true"
    else:
        unwritable = url + ("&" if "?" in url else "?") + "options=-cdefault_transaction_read_only%3Don"
    users, tokens = count(app, User), count(app, ApiToken)
    portal = make_app(SQLALCHEMY_DATABASE_URI=unwritable)
    result = portal.test_cli_runner().invoke(args=[name, *arguments(name, tmp_path, "")])
    assert result.exit_code == 1, result.output
    assert_one_line(result.output)
    assert "readonly database" in result.output or "read-only transaction" in result.output
    assert (count(app, User), count(app, ApiToken)) == (users, tokens)


@pytest.mark.parametrize(("kind", "command"), [("sqlite", "init-db"), ("postgresql", "seed-demo")])
def test_the_flask_command_ends_database_trouble_with_one_line_on_stderr(tmp_path, kind, command):
    """``flask --app parkportal …`` itself, in a process of its own: exit code 1, one line on stderr, nothing on
    stdout, no traceback."""
    env = {key: value for key, value in os.environ.items() if key not in ENV_KEYS and key != "DATABASE_URL"}
    env.update(
        DATABASE_URL=unreachable_urls(tmp_path)[kind],
        SECRET_KEY="cli-outage-secret-long-enough",
        PORTAL_URL="https://portal.example",
        LIBRARY_STORAGE_DIR=str(tmp_path / "library"),
    )
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "parkportal", command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert_one_line(done.stderr)
