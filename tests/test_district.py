"""``flask seed-district``: the demo park plus a district in bulk, at a tiny scale (the same code path as full)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, make_url, select, text

from parkportal.bookings.vocab import ACTIVE_STATUSES, Status
from parkportal.demo import DEMO_PASSWORD
from parkportal.extensions import db
from parkportal.models import (
    Appointment,
    AuditLog,
    BookingUnit,
    Checkup,
    Download,
    Enterprise,
    Event,
    Notification,
    Registration,
    User,
)

from . import factories
from .conftest import sign_in


def test_seed_district_fills_every_area_and_keeps_the_demo_sign_ins(app, runner):
    """A tiny district: bookings in every status, units only for those that hold time, history in every area,
    the demo sign-ins and the district's lawyers sign in, and new rows still get fresh ids afterwards."""
    result = runner.invoke(args=["seed-district", "--scale", "0.001"])
    assert result.exit_code == 0, result.output
    assert "District:" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) >= 100
        assert db.session.scalar(select(func.count()).select_from(User).where(User.role == "lawyer")) >= 5
        statuses = set(db.session.scalars(select(Appointment.status).distinct()))
        assert statuses == set(Status)
        idle = select(func.count()).select_from(BookingUnit).join(Appointment)
        assert db.session.scalar(idle.where(Appointment.status.not_in(ACTIVE_STATUSES))) == 0
        assert db.session.scalar(select(func.count()).select_from(BookingUnit)) > 0
        for model in (AuditLog, Notification, Event, Registration, Download, Checkup):
            assert db.session.scalar(select(func.count()).select_from(model)) > 0, model
        lawyer = db.session.scalar(select(User.email).where(User.email.like("lawyer01@%")))
        factories.enterprise()  # ids after the bulk-written ones (PostgreSQL: sequences moved on)
        db.session.commit()
    for email in ("demo@jiangnan-zhizao.com", "wangli@fudu-park.gov.cn", "chenming@changxin-law.cn", lawyer):
        assert sign_in(app, email, DEMO_PASSWORD).get("/notifications/").status_code == 200
    again = runner.invoke(args=["seed-district", "--scale", "0.001"])
    assert "nothing seeded" in again.output


def test_seed_district_hashes_the_demo_password_once_and_leaves_sqlite_in_wal(app, runner):
    """Every seeded account shares one hash of the demo password (hashed once, not per account), and the seed's
    bulk settings (SQLite: rollback journal in memory, no fsync) end with it: the portal's connections are in WAL."""
    result = runner.invoke(args=["seed-district", "--scale", "0.001", "--force"])
    assert result.exit_code == 0, result.output
    assert "Seed times: demo park" in result.output
    with app.app_context():
        hashes = set(db.session.scalars(select(User.password_hash)).all())
        assert len(hashes) == 1
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email.like("%@district-%"))) > 0
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert db.session.execute(text("PRAGMA synchronous")).scalar() != 0


def test_seed_district_runs_while_another_connection_has_the_sqlite_file_open(app, runner):
    """With the file open elsewhere (a portal serving it), seeding keeps the WAL journal instead of failing."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's journal only")
    other = sqlite3.connect(url.database)
    try:
        other.execute("SELECT count(*) FROM enterprise").fetchall()
        result = runner.invoke(args=["seed-district", "--scale", "0.001"])
        assert result.exit_code == 0, result.output
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()
