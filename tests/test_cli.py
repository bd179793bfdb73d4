"""The command line: init-db, seed-demo, create-user, set-availability (parsing), send-outbox."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select

from parkportal.demo import DEMO_PASSWORD
from parkportal.extensions import db
from parkportal.models import AuditLog, AvailabilityRule, Enterprise, ServiceType, User

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
