"""The library's kept figures: every download and printed copy adds to its compilation's counters in the same
transaction, and they always equal what the download log and the printed copies count."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from parkportal.extensions import db
from parkportal.library import service
from parkportal.models import Compilation, Download, User
from parkportal.timeutil import local_today, utcnow

from . import factories
from .test_library_downloads import published


def test_kept_figures_equal_the_counted_ones_after_any_mix_of_copies(app):
    """Random downloads (enterprise users, staff), repeats and printed copies: kept == counted, per compilation."""
    rng = random.Random(13)
    ids = [published(app, name=f"汇编{n}.pdf")[0] for n in range(3)]
    with app.app_context():
        enterprises = [factories.enterprise() for _ in range(4)]
        users = [factories.enterprise_user(e) for e in enterprises for _ in range(2)]
        staff = factories.staff()
        for _ in range(40):
            kind = rng.random()
            ident = rng.choice(ids)
            if kind < 0.6:
                user = rng.choice(users)
                service.record_download(ident, user.id, user.enterprise_id)
            elif kind < 0.75:
                service.record_download(ident, staff.id, None)
            else:
                service.record_printed(
                    db.session.get(Compilation, ident), enterprise=rng.choice(enterprises), copies=rng.randint(1, 9),
                    handed_on=local_today() - timedelta(days=1), place="station", place_note=None, actor=staff,
                )  # fmt: skip
        db.session.commit()
        db.session.expire_all()
        kept, counted = service.figures(ids), service.counted_figures(ids)
        assert kept == counted
        assert sum(f.distributed for f in kept.values()) > 0 and all(f.enterprises <= 4 for f in kept.values())


def test_recount_rebuilds_the_figures_after_rows_written_around_the_service(app):
    """Downloads inserted in bulk (as seed-district does) are counted once ``recount`` has run."""
    ident, _data = published(app)
    with app.app_context():
        user = factories.enterprise_user()
        rows = [
            {"compilation_id": ident, "user_id": user.id, "enterprise_id": user.enterprise_id, "created_at": utcnow()}
        ]
        db.session.execute(insert(Download), rows * 3)
        assert service.figures([ident])[ident].downloads == 0
        service.recount()
        db.session.commit()
        assert service.figures([ident]) == service.counted_figures([ident])
        assert (service.figures([ident])[ident].downloads, service.figures([ident])[ident].enterprises) == (3, 1)
        other = factories.enterprise_user(user.enterprise)
        service.record_download(ident, other.id, other.enterprise_id)  # a colleague: the same enterprise
        db.session.commit()
        assert service.figures([ident]) == service.counted_figures([ident])
        assert db.session.get(User, other.id) is not None
