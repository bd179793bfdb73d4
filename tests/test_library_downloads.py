"""Downloads (sign-in, the log, the Chinese filename header, concurrent downloads each counted once), printed
copies, the figures staff read (per compilation, per enterprise, who has it and who hasn't), and query counts."""

from __future__ import annotations

import html
from datetime import timedelta
from urllib.parse import quote, unquote

import pytest
from sqlalchemy import func, select

from parkportal.core.errors import Invalid, NotAllowed, WrongState
from parkportal.extensions import db
from parkportal.library import service, views
from parkportal.models import AuditLog, Download, PrintedCopy, User
from parkportal.timeutil import local_today, utcnow

from . import factories
from .conftest import AuthActions, english
from .library_support import compilation, pdf_bytes
from .test_booking_concurrency import run_concurrently
from .test_list_queries import counted

CHINESE_NAME = "企业法律实务汇编（2025年版）.pdf"


def published(app, name: str = CHINESE_NAME, **kwargs) -> tuple[int, bytes]:
    """A published PDF compilation called ``name``; returns its id and the file's bytes."""
    data = pdf_bytes(f"download {name} {kwargs}")
    with app.app_context():
        row = compilation(factories.staff(), data=data, name=name, **kwargs)
        db.session.commit()
        return row.id, data


def downloads(app) -> list[tuple[int, int, int | None]]:
    """(compilation, user, enterprise) of every logged download."""
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                select(Download.compilation_id, Download.user_id, Download.enterprise_id).order_by(Download.id)
            )
        ]


# ------------------------------------------------------------------------------------------------ downloads


def test_a_visitor_is_sent_to_sign_in_and_back(app, client):
    """Anonymous: to the sign-in page with next=the download; after signing in, straight back to it."""
    ident, _data = published(app)
    response = client.get(f"/library/{ident}/download")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/auth/login?next={quote(f'/library/{ident}/download', safe='')}"
    with app.app_context():
        user = factories.enterprise_user()
        db.session.commit()
        email = user.email
    signed_in = client.post(
        f"/auth/login?next=/library/{ident}/download", data={"email": email, "password": factories.PASSWORD}
    )
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == f"/library/{ident}/download"
    assert downloads(app) == []  # nothing logged before the file was actually fetched


def test_download_returns_the_file_and_logs_user_enterprise_and_time(app, enterprise_client):
    """The file comes back as an attachment; one log row with the user, their enterprise and the time."""
    ident, data = published(app)
    before = utcnow()
    response = enterprise_client.get(f"/library/{ident}/download")
    assert response.status_code == 200 and response.data == data
    assert response.mimetype == "application/pdf"
    with app.app_context():
        user = db.session.get(User, enterprise_client.user_id)
        row = db.session.scalars(select(Download)).one()
        assert (row.compilation_id, row.user_id, row.enterprise_id) == (ident, user.id, user.enterprise_id)
        assert before - timedelta(seconds=1) <= row.created_at <= utcnow()


def test_the_chinese_filename_comes_back_per_rfc_5987(app, enterprise_client):
    """Content-Disposition: attachment, an ASCII fallback and filename*=UTF-8'' with the percent-encoded name."""
    ident, _data = published(app)
    header = enterprise_client.get(f"/library/{ident}/download").headers["Content-Disposition"]
    assert header.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(CHINESE_NAME, safe='')}" in header
    encoded = header.split("filename*=UTF-8''", 1)[1].split(";")[0]
    assert unquote(encoded, encoding="utf-8") == CHINESE_NAME
    fallback = header.split("filename=", 1)[1].split(";")[0]
    assert fallback.isascii()


def test_an_ascii_name_needs_no_extended_parameter(app, enterprise_client):
    """A plain ASCII name is given as filename= alone."""
    ident, _data = published(app, name="company-law-2025.pdf")
    header = enterprise_client.get(f"/library/{ident}/download").headers["Content-Disposition"]
    assert header == "attachment; filename=company-law-2025.pdf"


def test_unpublished_downloads_are_404_except_for_staff(app, enterprise_client, lawyer_client, staff_client):
    """An unpublished compilation's file answers 404 and logs nothing; staff fetch it (and that is logged)."""
    ident, data = published(app, published=False)
    assert enterprise_client.get(f"/library/{ident}/download").status_code == 404
    assert lawyer_client.get(f"/library/{ident}/download").status_code == 404
    assert downloads(app) == []
    response = staff_client.get(f"/library/{ident}/download")
    assert response.status_code == 200 and response.data == data
    assert downloads(app) == [(ident, staff_client.user_id, None)]


def test_a_missing_file_is_404_and_logged_nowhere(app, enterprise_client):
    """When the stored file has gone (a restore without files), the download is 404, not a 500, and not counted."""
    from parkportal.library import storage
    from parkportal.models import Compilation

    ident, _data = published(app)
    with app.app_context():
        storage.path_of(db.session.get(Compilation, ident).stored_name).unlink()
    assert enterprise_client.get(f"/library/{ident}/download").status_code == 404
    assert downloads(app) == []


N = 8


def test_concurrent_downloads_are_each_counted_once(app):
    """Eight users download at the same moment (own connections): eight rows, eight in the count, no error."""
    ident, data = published(app)
    with app.app_context():
        users = [factories.enterprise_user() for _ in range(N)]
        db.session.commit()
        emails = [user.email for user in users]
    clients = []
    for email in emails:
        client = app.test_client()
        assert AuthActions(client).login(email).status_code == 303
        clients.append(client)

    def attempt(client):
        def run(barrier):
            barrier.wait()
            response = client.get(f"/library/{ident}/download")
            return response.status_code if response.data == data else "wrong body"

        return run

    results = run_concurrently([attempt(client) for client in clients])
    assert results == [200] * N
    assert len(downloads(app)) == N
    with app.app_context():
        assert service.figures([ident])[ident].downloads == N
        assert service.figures([ident])[ident].enterprises == N
        assert db.session.scalar(select(func.count(func.distinct(Download.user_id)))) == N


# ------------------------------------------------------------------------------------------------ counts


def test_counts_per_compilation_and_per_enterprise(app, staff_client):
    """Enterprise downloads count (twice by one enterprise is two); staff downloads are logged but not counted."""
    ident, _data = published(app)
    other_ident, _other = published(app, name="劳动用工.pdf")
    with app.app_context():
        alpha = factories.enterprise(name="常州甲科技有限公司")
        beta = factories.enterprise(name="常州乙科技有限公司")
        a1, a2, b1 = (
            factories.enterprise_user(alpha),
            factories.enterprise_user(alpha),
            factories.enterprise_user(beta),
        )
        for user, comp in ((a1, ident), (a2, ident), (a1, ident), (b1, other_ident)):
            service.record_download(comp, user.id, user.enterprise_id)
        staff = db.session.get(User, staff_client.user_id)
        service.record_download(ident, staff.id, None)
        db.session.commit()
        figures = service.figures([ident, other_ident])
        assert (figures[ident].downloads, figures[ident].enterprises) == (3, 1)
        assert (figures[other_ident].downloads, figures[other_ident].enterprises) == (1, 1)
        per_enterprise = service.enterprise_figures(None, [alpha.id, beta.id])
        assert per_enterprise[alpha.id].downloads == 3 and per_enterprise[beta.id].downloads == 1
        alpha_id = alpha.id
    card = staff_client.get("/library/").get_data(as_text=True)
    assert card.count("3 次下载") + card.count("3 downloads") == 1
    stats = english(staff_client).get("/library/stats").get_data(as_text=True)
    assert f'data-enterprise-id="{alpha_id}"' in stats and "常州乙科技有限公司" in stats
    detail = staff_client.get(f"/library/{ident}").get_data(as_text=True)
    assert 'data-downloads="3"' in detail and 'data-distributed="3"' in detail


def test_printed_copies_add_to_copies_distributed(app, staff_client):
    """Staff record 30 printed copies handed out at an event: distributed = downloads + printed; audited."""
    ident, _data = published(app)
    with app.app_context():
        enterprise = factories.enterprise(name="常州丙精密机械有限公司")
        user = factories.enterprise_user(enterprise)
        service.record_download(ident, user.id, enterprise.id)
        db.session.commit()
        uscc, enterprise_id = enterprise.uscc, enterprise.id
    day = local_today() - timedelta(days=3)
    response = staff_client.post(
        f"/library/{ident}/printed",
        data={
            "enterprise": uscc,
            "copies": "30",
            "handed_on": day.isoformat(),
            "place": "event",
            "place_note": "新《公司法》专题讲座",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalars(select(PrintedCopy)).one()
        assert (row.enterprise_id, row.copies, row.handed_on, row.place) == (enterprise_id, 30, day, "event")
        assert row.recorded_by_id == staff_client.user_id
        figures = service.figures([ident])[ident]
        assert (figures.downloads, figures.printed, figures.distributed, figures.enterprises) == (1, 30, 31, 1)
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "library.printed")).one()
        assert entry.details["copies"] == 30
    page = staff_client.get(f"/library/{ident}").get_data(as_text=True)
    assert 'data-distributed="31"' in page and "新《公司法》专题讲座" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"enterprise": "没有这家公司"}, "Enter the enterprise's 统一社会信用代码 or its full name."),
        ({"copies": "0"}, "Enter a number of copies from 1 to 10000."),
        ({"copies": "三十"}, "Enter a number of copies from 1 to 10000."),
        ({"handed_on": "2099-01-01"}, "The date lies in the future."),
        ({"handed_on": "yesterday"}, "Not a valid date value."),
    ],
)
def test_printed_copies_refuse_bad_input_and_keep_it(app, staff_client, fields, message):
    """Each bad field gets its message; what was typed is kept; nothing is recorded."""
    ident, _data = published(app)
    with app.app_context():
        uscc = factories.enterprise().uscc
        db.session.commit()
    data = {"enterprise": uscc, "copies": "5", "handed_on": local_today().isoformat(), "place": "station"}
    data.update(fields)
    response = english(staff_client).post(f"/library/{ident}/printed", data=data)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and message in body
    assert f'value="{data["enterprise"]}"' in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PrintedCopy)) == 0


def test_printed_copies_are_for_staff_and_active_enterprises(ctx):
    """The domain refuses a lawyer, and an archived enterprise."""
    staff, lawyer = factories.staff(), factories.lawyer()
    row = compilation(staff)
    archived = factories.enterprise(status="archived")
    kwargs = {"copies": 2, "handed_on": local_today(), "place": "station", "place_note": None}
    with pytest.raises(NotAllowed):
        service.record_printed(row, enterprise=archived, actor=lawyer, **kwargs)
    with pytest.raises(WrongState):
        service.record_printed(row, enterprise=archived, actor=staff, **kwargs)
    with pytest.raises(Invalid):
        service.record_printed(row, enterprise=None, actor=staff, **kwargs)


def test_who_has_it_and_who_has_not(app, staff_client, monkeypatch):
    """Per compilation: enterprises that downloaded it or got printed copies, and the rest (searchable, paged, counted
    up to a limit)."""
    ident, _data = published(app)
    with app.app_context():
        staff = db.session.get(User, staff_client.user_id)
        downloaded = factories.enterprise(name="常州下载科技有限公司")
        printed_to = factories.enterprise(name="常州纸本物流有限公司")
        without = factories.enterprise(name="常州未覆盖电子有限公司")
        factories.enterprise(name="常州已归档有限公司", status="archived")
        user = factories.enterprise_user(downloaded)
        service.record_download(ident, user.id, downloaded.id)
        comp = db.session.get(service.Compilation, ident)
        service.record_printed(
            comp,
            enterprise=printed_to,
            copies=3,
            handed_on=local_today(),
            place="station",
            place_note=None,
            actor=staff,
        )
        for n in range(30):
            factories.enterprise(name=f"常州批量{n:02d}有限公司")
        db.session.commit()
        ids = downloaded.id, printed_to.id, without.id
    have = staff_client.get(f"/library/{ident}/reach").get_data(as_text=True)
    assert f'data-enterprise-id="{ids[0]}"' in have and f'data-enterprise-id="{ids[1]}"' in have
    assert f'data-enterprise-id="{ids[2]}"' not in have
    have_not = staff_client.get(f"/library/{ident}/reach?have=no&q=未覆盖").get_data(as_text=True)
    assert f'data-enterprise-id="{ids[2]}"' in have_not and "常州已归档有限公司" not in have_not
    assert f"/library/{ident}?enterprise=" in have_not  # a link to record printed copies for it
    page_one = staff_client.get(f"/library/{ident}/reach?have=no").get_data(as_text=True)
    assert page_one.count("data-enterprise-id=") == 25 and "page=2" in page_one
    fragment = staff_client.get(f"/library/{ident}/reach?have=no&q=批量0", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert fragment.get_data(as_text=True).count("data-enterprise-id=") == 10
    english(staff_client)
    counted = staff_client.get(f"/library/{ident}/reach").get_data(as_text=True)
    assert "2 enterprises" in counted  # the archived enterprise aside
    monkeypatch.setattr(views, "REACH_COUNTED", 20)
    beyond = staff_client.get(f"/library/{ident}/reach?have=no").get_data(as_text=True)
    assert "More than 20 enterprises" in beyond and 'rel="next"' in beyond  # counted only so far, still paged


# ------------------------------------------------------------------------------------------------ queries


def add_compilations(app, n: int, round_: int) -> None:
    """``n`` more published compilations, each downloaded by a new enterprise and handed out in print once."""
    with app.app_context():
        staff = factories.staff()
        for k in range(n):
            row = compilation(staff, f"汇编{round_}-{k}", topics=("labor", "contracts"))
            ent = factories.enterprise()
            user = factories.enterprise_user(ent)
            service.record_download(row.id, user.id, ent.id)
            service.record_printed(
                row, enterprise=ent, copies=2, handed_on=local_today(), place="station", place_note=None, actor=staff
            )
            if k % 2:
                compilation(staff, f"汇编{round_}-{k} 新版", previous=row)
        db.session.commit()


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (None, "/library/"),
        (None, "/library/?q=汇编"),
        ("enterprise", "/library/?q=汇编&topic=labor"),
        ("staff", "/library/"),
        ("staff", "/library/stats"),
    ],
)
def test_catalogue_and_search_query_a_constant_number_of_times(app, role, url):
    """Twice the compilations take exactly as many queries (no N+1 over topics, editions or counts)."""
    client = app.test_client()
    if role:
        with app.app_context():
            user = factories.enterprise_user() if role == "enterprise" else factories.staff()
            db.session.commit()
            email = user.email
        assert AuthActions(client).login(email).status_code == 303
    counts = []
    for round_, n in enumerate((2, 4)):
        add_compilations(app, n, round_)
        with counted(app) as count:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(count[0])
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("role", [None, "staff"])
def test_detail_queries_a_constant_number_of_times(app, role):
    """A compilation's page costs as many queries with 2 downloads and handouts as with 8."""
    ident, _data = published(app)
    client = app.test_client()
    if role:
        with app.app_context():
            email = factories.staff().email
            db.session.commit()
        assert AuthActions(client).login(email).status_code == 303
    counts = []
    for n in (2, 8):
        with app.app_context():
            staff = factories.staff()
            comp = db.session.get(service.Compilation, ident)
            for _ in range(n):
                ent = factories.enterprise()
                user = factories.enterprise_user(ent)
                service.record_download(ident, user.id, ent.id)
                service.record_printed(
                    comp,
                    enterprise=ent,
                    copies=1,
                    handed_on=local_today(),
                    place="event",
                    place_note="讲座",
                    actor=staff,
                )
            db.session.commit()
        with counted(app) as count:
            assert client.get(f"/library/{ident}").status_code == 200
        counts.append(count[0])
    assert counts[0] == counts[1], counts
