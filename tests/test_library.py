"""The library's rules: publishing and editions, safe uploads (type by content, size, names, duplicates, nothing
written on refusal), the public catalogue with active search and filters, and who sees what."""

from __future__ import annotations

import html
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from parkportal.core.errors import Conflict, Invalid, NotAllowed
from parkportal.extensions import db
from parkportal.library import service, storage
from parkportal.models import AuditLog, Compilation

from . import factories
from .conftest import english
from .library_support import compilation, docx_bytes, office_bytes, pdf_bytes, xlsx_bytes


def upload_form(data: bytes | None = None, name: str = "企业法律实务汇编（2025年版）.pdf", **fields) -> dict:
    """The contract's multipart fields for ``POST /library/new``."""
    form = {
        "title": "企业法律实务汇编",
        "edition": "2025年版",
        "summary": "新《公司法》、劳动用工、合同管理的实务要点。",
        "topics": ["company_law", "labor"],
        "published": "y",
        "file": (io.BytesIO(pdf_bytes("upload") if data is None else data), name),
    }
    form.update(fields)
    return form


def stored_files(app) -> list[Path]:
    """Every file in the library folder (covers included)."""
    root = Path(app.config["LIBRARY_STORAGE_DIR"])
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def count(model) -> int:
    """Rows of ``model``."""
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture(autouse=True)
def empty_library(app):
    """Each test starts with an empty library folder."""
    for path in stored_files(app):
        path.unlink()


# ------------------------------------------------------------------------------------------------ publishing


def test_staff_publish_through_the_contract_form(app, staff_client):
    """POST /library/new stores the file under a random name outside static/, with its hash, topics and cover."""
    data = pdf_bytes("contract form")
    response = staff_client.post("/library/new", data=upload_form(data), content_type="multipart/form-data")
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalars(select(Compilation)).one()
        assert (row.title, row.edition, row.year, row.kind) == ("企业法律实务汇编", "2025年版", 2025, "pdf")
        assert row.published and row.published_at is not None
        assert row.topics == ["company_law", "labor"]
        assert row.original_name == "企业法律实务汇编（2025年版）.pdf"
        assert row.size_bytes == len(data)
        import hashlib

        assert row.sha256 == hashlib.sha256(data).hexdigest()
        path = storage.path_of(row.stored_name)
        assert path.read_bytes() == data
        assert row.stored_name != row.original_name and len(row.stored_name) == len("0" * 32 + ".pdf")
        assert "static" not in path.parts
        assert row.cover_name and storage.cover_path(row.cover_name).read_bytes().startswith(b"\x89PNG")
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
        assert actions == ["library.uploaded", "library.published"]
    assert response.headers["Location"] == f"/library/{row.id}"


def test_lawyers_publish_too_and_manage_only_their_own(app, lawyer_client):
    """A lawyer uploads a draft, sees it and publishes it; another's compilation they can't unpublish."""
    response = lawyer_client.post("/library/new", data=upload_form(published=""), content_type="multipart/form-data")
    assert response.status_code == 303
    with app.app_context():
        own = db.session.scalars(select(Compilation)).one()
        assert not own.published
        other = compilation(factories.staff(), "劳动用工合规指引")
        db.session.commit()
        own_id, other_id = own.id, other.id
    assert lawyer_client.get(f"/library/{own_id}").status_code == 200  # their draft
    assert lawyer_client.post(f"/library/{own_id}/publish").status_code == 303
    assert lawyer_client.post(f"/library/{other_id}/unpublish").status_code == 403
    with app.app_context():
        assert db.session.get(Compilation, own_id).published
        assert db.session.get(Compilation, other_id).published


def test_enterprises_may_not_publish(ctx):
    """The domain refuses an upload by an enterprise user."""
    with pytest.raises(NotAllowed):
        compilation(factories.enterprise_user())


def test_publish_and_unpublish_are_audited_once_each(ctx):
    """Publishing, unpublishing and publishing again are three audit entries; a repeat is no change."""
    staff = factories.staff()
    row = compilation(staff, published=False)
    assert service.set_published(row, True, staff)
    assert not service.set_published(row, True, staff)
    assert service.set_published(row, False, staff)
    actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["library.uploaded", "library.published", "library.unpublished"]


def test_a_new_edition_supersedes_the_old_which_stays_listed(app, staff_client):
    """The new edition links to the old; both stay in the catalogue, the old marked as superseded."""
    with app.app_context():
        old = compilation(factories.staff(), edition="2024年版", year=2024)
        db.session.commit()
        old_id = old.id
    form = staff_client.get(f"/library/new?previous={old_id}").get_data(as_text=True)
    assert "企业法律实务汇编" in form and f'value="{old_id}"' in form  # title kept, old edition named
    response = staff_client.post(
        "/library/new",
        data=upload_form(edition="2025年版", previous_id=str(old_id)),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    with app.app_context():
        new = db.session.scalar(select(Compilation).where(Compilation.previous_id == old_id))
        assert new is not None and db.session.get(Compilation, old_id).superseded
        new_id = new.id
    catalogue = english(staff_client).get("/library/").get_data(as_text=True)
    assert f'data-compilation-id="{old_id}"' in catalogue and f'data-compilation-id="{new_id}"' in catalogue
    page = staff_client.get(f"/library/{old_id}").get_data(as_text=True)
    assert "An earlier edition." in page and f"/library/{new_id}" in page
    again = staff_client.post(
        "/library/new",
        data=upload_form(pdf_bytes("third"), edition="2026年版", previous_id=str(old_id)),
        content_type="multipart/form-data",
    )
    assert again.status_code == 409 and "already has a newer edition" in again.get_data(as_text=True)


def test_the_year_comes_from_the_edition_when_not_given(app, staff_client):
    """An edition like 2023年版 files the compilation under 2023; a bad year is refused next to its field."""
    staff_client.post("/library/new", data=upload_form(edition="2023年版"), content_type="multipart/form-data")
    with app.app_context():
        assert db.session.scalars(select(Compilation.year)).one() == 2023
    bad = english(staff_client).post(
        "/library/new", data=upload_form(pdf_bytes("other"), year="23"), content_type="multipart/form-data"
    )
    assert bad.status_code == 422 and "Enter a year such as 2025." in bad.get_data(as_text=True)


def test_missing_fields_keep_the_input(app, staff_client):
    """No title and no topic: messages next to the fields, the summary kept, nothing stored."""
    response = english(staff_client).post(
        "/library/new", data=upload_form(title="", topics=[]), content_type="multipart/form-data"
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a title." in body and "Choose at least one legal topic." in body
    assert "新《公司法》、劳动用工、合同管理的实务要点。" in body
    assert stored_files(app) == []


# ------------------------------------------------------------------------------------------------ safe files


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "汇编.pdf", "is not a PDF, Word (.docx) or Excel (.xlsx)"),  # an .exe
        (b"%PDF-1.4\n1 0 obj\n", "truncated.pdf", "This PDF can't be opened"),  # no %%EOF
        (office_bytes({"docProps/app.xml": "<x/>"}), "empty.docx", "not a Word (.docx) or Excel (.xlsx) document"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx", "This Word or Excel file is damaged"),
        (docx_bytes(extra={"word/vbaProject.bin": b"macro"}), "macro.docx", "This file contains macros"),
        (pdf_bytes("renamed"), "汇编.docx", "doesn't end in .pdf"),
        (b"", "empty.pdf", "The file is empty."),
        (pdf_bytes("dots"), "../../static/evil.pdf", "can't contain slashes"),
        (pdf_bytes("backslash"), "..\\evil.pdf", "can't contain slashes"),
        (pdf_bytes("nul"), "evil\x00.pdf", "can't contain slashes, '..' or control characters"),
        (pdf_bytes("long"), "长" * 130 + ".pdf", "The file's name is too long"),
    ],
    ids=[
        "exe",
        "truncated-pdf",
        "zip",
        "broken-zip",
        "macros",
        "wrong-extension",
        "empty",
        "dotdot",
        "backslash",
        "nul",
        "long-name",
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(app, staff_client, data, name, message):
    """Refused with a clear message next to the file field; no file on disk, no row, no audit entry."""
    response = english(staff_client).post(
        "/library/new", data=upload_form(data, name), content_type="multipart/form-data"
    )
    assert response.status_code == 422, response.status
    body = html.unescape(response.get_data(as_text=True))
    assert message in body and 'id="file-error"' in body
    assert "企业法律实务汇编" in body  # the title is kept
    assert stored_files(app) == []
    with app.app_context():
        assert count(Compilation) == 0 and count(AuditLog) == 0


@pytest.mark.parametrize(
    ("maker", "name", "kind"), [(docx_bytes, "合同审查要点.docx", "docx"), (xlsx_bytes, "用工台账.xlsx", "xlsx")]
)
def test_word_and_excel_files_are_recognised_by_content(app, staff_client, maker, name, kind):
    """A zip holding word/document.xml is a DOCX, one holding xl/workbook.xml an XLSX (no cover for either)."""
    response = staff_client.post("/library/new", data=upload_form(maker(), name), content_type="multipart/form-data")
    assert response.status_code == 303
    with app.app_context():
        row = db.session.scalars(select(Compilation)).one()
        assert row.kind == kind and row.cover_name is None and row.stored_name.endswith(f".{kind}")


def test_a_pdf_that_cannot_be_drawn_has_no_cover(ctx, monkeypatch):
    """A PDF that passes the checks but can't be rendered is stored without a cover, not refused."""
    import pypdfium2

    def fail(*_args, **_kwargs):
        """PDFium can't draw this page."""
        raise pypdfium2.PdfiumError("cannot render")

    monkeypatch.setattr(pypdfium2.PdfPage, "render", fail)
    row = compilation(factories.staff())
    assert row.kind == "pdf" and row.cover_name is None


def test_the_same_file_twice_is_noticed(app, staff_client):
    """Uploading identical bytes again is refused, naming the compilation that holds them; nothing is written."""
    data = pdf_bytes("twice")
    assert (
        staff_client.post("/library/new", data=upload_form(data), content_type="multipart/form-data").status_code == 303
    )
    files = stored_files(app)
    again = english(staff_client).post(
        "/library/new", data=upload_form(data, "copy.pdf", title="Another"), content_type="multipart/form-data"
    )
    assert again.status_code == 422  # the refusal sits next to the file field
    assert "This file has been uploaded before, as «企业法律实务汇编» (2025年版)." in again.get_data(as_text=True)
    assert stored_files(app) == files
    with app.app_context():
        assert count(Compilation) == 1


def test_a_lost_race_on_the_same_file_removes_its_file(ctx, app, monkeypatch):
    """When the unique hash loses (a concurrent upload won), the loser's stored file and cover are removed."""
    staff = factories.staff()
    data = pdf_bytes("race")
    compilation(staff, data=data)
    before = stored_files(app)
    monkeypatch.setattr(service.db.session, "scalar", lambda *_a, **_k: None)  # skip the friendly pre-check
    with pytest.raises(Conflict):
        compilation(staff, "second", data=data)
    monkeypatch.undo()
    assert stored_files(app) == before


def test_a_rolled_back_upload_leaves_no_file(ctx, app):
    """Files written for a transaction that rolls back (any failure after the upload) are removed."""
    compilation(factories.staff())
    assert stored_files(app)
    db.session.rollback()
    assert stored_files(app) == []


def test_the_size_limit_is_configurable_and_friendly(app, staff_client):
    """Over LIBRARY_MAX_UPLOAD_MB the form answers 413 with the limit next to the file field; nothing is stored."""
    app.config["LIBRARY_MAX_UPLOAD_MB"] = 0.01  # 10 KiB
    try:
        big = pdf_bytes("x" * 20_000)
        response = english(staff_client).post("/library/new", data=upload_form(big), content_type="multipart/form-data")
        assert response.status_code == 413
        body = response.get_data(as_text=True)
        assert "The file is larger than 10 KB." in body and 'id="file-error"' in body
        huge = english(staff_client).post(
            "/library/new", data=upload_form(b"%PDF-" + b"0" * 400_000), content_type="multipart/form-data"
        )  # beyond the request limit: refused before the body is read
        assert huge.status_code == 413 and "The file is larger than 10 KB." in huge.get_data(as_text=True)
    finally:
        app.config["LIBRARY_MAX_UPLOAD_MB"] = 20
    assert stored_files(app) == []
    with app.app_context():
        assert count(Compilation) == 0


def test_files_over_the_site_wide_limit_but_within_the_library_limit_are_accepted(app, staff_client):
    """The library's 20 MB default is its own: a file larger than MAX_CONTENT_LENGTH (16 MiB today) passes."""
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    try:
        data = pdf_bytes("y" * 100_000)
        response = staff_client.post("/library/new", data=upload_form(data), content_type="multipart/form-data")
        assert response.status_code == 303
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024


def test_check_writes_nothing(app, ctx, tmp_path, monkeypatch):
    """The checks run on the stream alone: they create no folder and no file, whether they pass or refuse."""
    target = tmp_path / "library"
    monkeypatch.setitem(app.config, "LIBRARY_STORAGE_DIR", str(target))
    checked = storage.check("汇编.pdf", io.BytesIO(pdf_bytes("check")))
    assert checked.kind == "pdf" and checked.name == "汇编.pdf" and len(checked.sha256) == 64
    with pytest.raises(Invalid):
        storage.check("汇编.pdf", io.BytesIO(b"plain text"))
    assert not target.exists()


# ------------------------------------------------------------------------------------------------ catalogue


def test_catalogue_cards_show_what_the_issue_names(app, client):
    """Visitors see cards: title, edition, topics, size, download count, and data-compilation-id."""
    with app.app_context():
        row = compilation(factories.staff(), "新《公司法》实务指引", "2024年版", topics=("company_law",))
        db.session.commit()
        row_id = row.id
    body = english(client).get("/library/").get_data(as_text=True)
    assert f'data-compilation-id="{row_id}"' in body
    for text in ("新《公司法》实务指引", "2024年版", "Company law", "KB", "0 downloads"):
        assert text in body
    assert f'src="/library/{row_id}/cover.png"' in body


def test_visitors_see_only_published_compilations(app, client, enterprise_client, lawyer_client, staff_client):
    """A draft is missing from the catalogue and answers 404 (page, cover, download) to all but staff."""
    with app.app_context():
        draft = compilation(factories.staff(), "内部草稿", published=False)
        db.session.commit()
        draft_id = draft.id
    for who in (client, enterprise_client, lawyer_client):
        assert "内部草稿" not in who.get("/library/").get_data(as_text=True)
        assert who.get(f"/library/{draft_id}").status_code == 404
        assert who.get(f"/library/{draft_id}/cover.png").status_code == 404
    for who in (enterprise_client, lawyer_client):
        assert who.get(f"/library/{draft_id}/download").status_code == 404
    assert "内部草稿" in staff_client.get("/library/").get_data(as_text=True)
    assert staff_client.get(f"/library/{draft_id}").status_code == 200
    assert staff_client.get(f"/library/{draft_id}/download").status_code == 200
    for who in (client, enterprise_client, staff_client):
        assert who.get("/library/999999").status_code == 404
        assert who.get("/library/999999/download").status_code in (302, 404)


def test_active_search_matches_title_and_summary_as_a_fragment(app, client):
    """?q= finds words in the title or the summary; htmx gets the results block alone, with Vary."""
    with app.app_context():
        staff = factories.staff()
        by_title = compilation(staff, "劳动合同实务", summary="试用期与解除")
        by_summary = compilation(staff, "用工风险", summary="劳动合同的签订与续签")
        other = compilation(staff, "知识产权保护", summary="商标与专利", topics=("ip",))
        db.session.commit()
        ids = by_title.id, by_summary.id, other.id
    response = client.get("/library/?q=劳动合同", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "HX-Request" in response.headers["Vary"]
    assert f'data-compilation-id="{ids[0]}"' in body and f'data-compilation-id="{ids[1]}"' in body
    assert f'data-compilation-id="{ids[2]}"' not in body
    page = client.get("/library/?q=劳动合同").get_data(as_text=True)
    assert 'value="劳动合同"' in page and "<html" in page


def test_search_box_is_wired_for_active_search(client):
    """The search form pushes the URL and fires on keyup after 300 ms of quiet."""
    body = client.get("/library/").get_data(as_text=True)
    assert 'hx-push-url="true"' in body and "keyup changed delay:300ms" in body and 'name="q"' in body


def test_percent_and_underscore_match_themselves(app, client):
    """Searching "100%" or "a_b" finds only titles holding those characters, not everything."""
    with app.app_context():
        staff = factories.staff()
        percent = compilation(staff, "100%合规手册", summary="")
        underscore = compilation(staff, "data_privacy 指南", summary="")
        plain = compilation(staff, "1000 问", summary="dataXprivacy")
        db.session.commit()
        ids = percent.id, underscore.id, plain.id
    found = client.get("/library/?q=100%25").get_data(as_text=True)
    assert f'data-compilation-id="{ids[0]}"' in found and f'data-compilation-id="{ids[2]}"' not in found
    found = client.get("/library/?q=a_p").get_data(as_text=True)
    assert f'data-compilation-id="{ids[1]}"' in found and f'data-compilation-id="{ids[2]}"' not in found


def test_filters_by_topic_and_year(app, client):
    """?topic= and ?year= narrow the list; unknown values are ignored rather than failing."""
    with app.app_context():
        staff = factories.staff()
        labour = compilation(staff, "劳动", topics=("labor",), year=2024, edition="2024年版")
        ip = compilation(staff, "知产", topics=("ip",), year=2025)
        db.session.commit()
        ids = labour.id, ip.id
    body = client.get("/library/?topic=labor").get_data(as_text=True)
    assert f'data-compilation-id="{ids[0]}"' in body and f'data-compilation-id="{ids[1]}"' not in body
    body = client.get("/library/?year=2025").get_data(as_text=True)
    assert f'data-compilation-id="{ids[1]}"' in body and f'data-compilation-id="{ids[0]}"' not in body
    body = client.get("/library/?topic=nonsense&year=１２").get_data(as_text=True)
    assert f'data-compilation-id="{ids[0]}"' in body and f'data-compilation-id="{ids[1]}"' in body


def test_empty_states(app, client):
    """No compilation yet, and a search without results, each say so (the latter offers to show all)."""
    english(client)
    assert "No compilations have been published yet." in client.get("/library/").get_data(as_text=True)
    with app.app_context():
        compilation(factories.staff())
        db.session.commit()
    body = client.get("/library/?q=nothing-like-this").get_data(as_text=True)
    assert "No compilation matches your search." in body and "Show all compilations" in body


def test_catalogue_paginates(app, client):
    """Twelve cards per page; the next page holds the rest and keeps the filters in its links."""
    with app.app_context():
        staff = factories.staff()
        for n in range(14):
            compilation(staff, f"汇编{n:02d}", topics=("tax",))
        db.session.commit()
    first = client.get("/library/?topic=tax").get_data(as_text=True)
    assert first.count("data-compilation-id=") == 12 and "page=2" in first and "topic=tax" in first
    second = client.get("/library/?topic=tax&page=2").get_data(as_text=True)
    assert second.count("data-compilation-id=") == 2
    assert client.get("/library/?page=99").status_code == 200


def test_nav_links_to_the_library_for_everyone(client, enterprise_client):
    """The navigation shows 法律实务汇编 to visitors and signed-in users."""
    for who in (client, enterprise_client):
        assert 'href="/library/"' in who.get("/").get_data(as_text=True)


def test_visitors_without_an_account_see_published_ones(ctx):
    """visible_to answers for a visitor (the catalogue is public): published compilations only."""
    from flask_login import AnonymousUserMixin

    staff = factories.staff()
    shown, hidden = compilation(staff, "公开"), compilation(staff, "草稿", published=False)
    visible = db.session.scalars(select(Compilation.id).where(Compilation.visible_to(AnonymousUserMixin()))).all()
    assert visible == [shown.id] and hidden.id not in visible
