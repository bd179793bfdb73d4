"""Test data factories: valid, unique records with sensible defaults; override what a test cares about."""

from __future__ import annotations

import itertools
import random

from parkportal import accounts
from parkportal.demo import make_uscc
from parkportal.extensions import db
from parkportal.models import Enterprise, User

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
