"""Test data factories: valid, unique records with sensible defaults; override what a test cares about."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

from sqlalchemy import select

from parkportal import accounts
from parkportal.bookings import service as booking
from parkportal.demo import make_uscc
from parkportal.extensions import db
from parkportal.models import Appointment, Enterprise, ServiceType, User
from parkportal.timeutil import utcnow

PASSWORD = "Passw0rd-test"
_counter = itertools.count(1)
_rng = random.Random(7)


def uscc() -> str:
    """A fresh valid 统一社会信用代码."""
    return make_uscc(_rng)


def enterprise(**overrides) -> Enterprise:
    """An enterprise on the roster (verified unless told otherwise)."""
    n = next(_counter)
    values = {
        "name": f"常州测试{n}号科技有限公司",
        "uscc": uscc(),
        "industry": "software",
        "employees": "10-49",
        "contact_name": "张伟",
        "phone": "13800000000",
        "status": "verified",
        "source": "imported",
    }
    values.update(overrides)
    status = values.pop("status")
    ent = Enterprise(**values, status="pending")
    accounts.set_enterprise_status(ent, status)
    db.session.add(ent)
    db.session.flush()
    return ent


_enterprise = enterprise  # for factories whose ``enterprise`` argument hides the function


def user(role: str, **overrides) -> User:
    """A user of ``role``; the password is ``PASSWORD``."""
    n = next(_counter)
    values = {"email": f"{role}{n}@example.cn", "password": PASSWORD, "name": f"{role.title()} {n}", "role": role}
    values.update(overrides)
    return accounts.create_user(**values)


def enterprise_user(ent: Enterprise | None = None, status: str = "verified", **overrides) -> User:
    """An enterprise user, with a new enterprise unless ``ent`` is given."""
    ent = ent or enterprise(status=status)
    return user("enterprise", enterprise=ent, **overrides)


def lawyer(specialties: str = "company_law,contracts,labor", **overrides) -> User:
    """A lawyer of the partner firm with the given specialties."""
    person = user("lawyer", **overrides)
    person.lawyer_profile.specialties = specialties
    db.session.flush()
    return person


def staff(**overrides) -> User:
    """A member of park staff."""
    return user("staff", **overrides)


def service_type(code: str) -> ServiceType:
    """The catalogue's service with ``code`` (the catalogue is loaded for every test)."""
    return db.session.scalar(select(ServiceType).where(ServiceType.code == code))


def appointment(
    *,
    start: datetime | None = None,
    enterprise: Enterprise | None = None,
    lawyer: User | None = None,
    service: str | ServiceType = "consultation",
    status: str | None = None,
    mode: str = "onsite",
    topic: str = "labor",
    description: str = "",
    actor: User | None = None,
    now: datetime | None = None,
    **extra,
) -> Appointment:
    """An appointment made through the domain, for a new verified enterprise unless ``enterprise`` is given.

    Without ``status`` it is booked by ``actor`` under every rule of ``bookings.service.book`` (a free slot of
    ``lawyer``, or of any lawyer; notifications sent) and ``start`` is required. With ``status`` it is recorded as
    it happened (``record_past``: any time, default an hour ago, no rules, no notifications; without ``lawyer``
    an unassigned request); ``extra`` sets further columns then (``completed_at``, ``created_at`` …).
    """
    enterprise = enterprise or _enterprise()
    kind = service if isinstance(service, ServiceType) else service_type(service)
    if status is None:
        assert start is not None and not extra, "a booking needs a start (and takes no extra columns)"
        return booking.book(
            enterprise=enterprise,
            service=kind,
            start=start,
            mode=mode,
            topic=topic,
            description=description,
            lawyer=lawyer,
            actor=actor,
            now=now,
        )
    made = booking.record_past(
        enterprise=enterprise,
        service=kind,
        lawyer=lawyer,
        start=start or utcnow().replace(second=0, microsecond=0) - timedelta(hours=1),
        mode=mode,
        topic=topic,
        description=description,
        status=status,
        **extra,
    )
    assert made is not None, "that time of the lawyer is held already"
    return made
