"""A roster file can't exhaust a worker: what it may hold is bounded before and while it is read, and a file beyond a
limit, or one that names a column twice, is refused with a message saying what (422 on the page, one line and exit 1
from ``import-roster``), writing nothing, in both languages."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from parkportal.core import spreadsheet
from parkportal.core.errors import Invalid
from parkportal.enterprises import roster
from parkportal.extensions import db
from parkportal.models import Enterprise

from . import factories
from .conftest import english
from .test_roster import HEADERS_ZH, count, csv_bytes, upload, xlsx

ROOT = Path(__file__).resolve().parents[1]


def patched(data: bytes, part: str, change) -> bytes:
    """The workbook with one part's XML rewritten by ``change`` (bytes → bytes), compressed as usual."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = source.read(member.filename)
            target.writestr(member.filename, change(body) if member.filename == part else body)
    return out.getvalue()


def with_shared_strings(data: bytes) -> bytes:
    """The workbook saved as Excel saves it: its text cells moved into one shared-string table (openpyxl writes
    them inline), each distinct text stored once."""
    source = zipfile.ZipFile(io.BytesIO(data))
    sheet = source.read("xl/worksheets/sheet1.xml").decode()
    texts: dict[str, int] = {}

    def shared(found: re.Match) -> str:
        index = texts.setdefault(found.group(2), len(texts))
        return f'<c r="{found.group(1)}" t="s"><v>{index}</v></c>'

    sheet = re.sub(r'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', shared, sheet)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    table = f'<sst xmlns="{main}" count="{len(texts)}" uniqueCount="{len(texts)}">'
    table += "".join(f"<si><t>{text}</t></si>" for text in texts) + "</sst>"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    relation = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    changes = {
        "xl/worksheets/sheet1.xml": lambda _body: sheet.encode(),
        "[Content_Types].xml": lambda body: body.replace(
            b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}"/></Types>'.encode()
        ),
        "xl/_rels/workbook.xml.rels": lambda body: body.replace(
            b"</Relationships>",
            f'<Relationship Id="rIdShared" Type="{relation}" Target="sharedStrings.xml"/></Relationships>'.encode(),
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            body = source.read(member.filename)
            target.writestr(member.filename, changes.get(member.filename, lambda b: b)(body))
        target.writestr("xl/sharedStrings.xml", table.encode())
    return out.getvalue()


def with_cell(ref: str, value: str = "远处") -> bytes:
    """A small valid roster with one more cell at ``ref``."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS_ZH)
    sheet.append([factories.uscc(), "常州近处有限公司", "制造", 10, "", "", ""])
    sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def a_row(name: str = "常州样本有限公司") -> list:
    """One valid roster row."""
    return [factories.uscc(), name, "制造", 10, "", "", ""]


def refused(client, data: bytes, name: str = "名录.xlsx") -> str:
    """POST the file; assert a 422 with the message next to the file field; the page's text."""
    response = upload(client, data, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:300]
    assert 'id="file-error"' in html  # next to the upload field
    return html


def read_in_a_small_process(path: Path) -> subprocess.CompletedProcess:
    """``roster.read`` of the file in a fresh process with 1.5 GB of address space (what a reader that trusts the
    file would ask for aborts it, not the test run); it prints "refused: <message>" (zh_CN, the default)."""
    script = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))
        from pathlib import Path
        from parkportal import create_app
        from parkportal.core.errors import Invalid
        from parkportal.enterprises import roster
        app = create_app({{"TESTING": True, "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"}})
        with app.test_request_context():
            try:
                roster.read("roster.xlsx", Path({str(path)!r}).read_bytes())
            except Invalid as error:
                print("refused:", error.message)
        """
    )
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_a_cell_at_the_last_column_and_row_is_refused_before_the_reader_allocates_the_grid(tmp_path):
    """One cell at XFD1048576 (a 5 KB file) made calamine allocate half a terabyte and abort the process; now the
    check refuses it first, with one clear line."""
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(with_cell("XFD1048576"))
    done = read_in_a_small_process(path)
    assert done.returncode == 0, done.stderr[-500:]
    assert "refused: 第 1048576 行 XFD 列超出了 AD 列" in done.stdout


def test_a_cell_beyond_the_last_column_is_refused_naming_it(app, staff_client):
    """A cell in column AX is refused naming its line and column, in English and Chinese; nothing is saved."""
    data = with_cell("AX2")
    assert "line 2, column AX lies beyond column AD: a roster may have at most 30 columns" in refused(
        english(staff_client), data
    )
    with staff_client.session_transaction() as session:
        session["lang"] = "zh_CN"
    assert "第 2 行 AX 列" in refused(staff_client, data)
    with app.app_context():
        assert count(Enterprise) == 0


def test_rows_beyond_the_limit_are_refused_by_where_the_cells_are_and_by_the_declared_dimension(make_app):
    """``ROSTER_MAX_ROWS`` bounds the cells' real extent and the sheet's declared dimension, before reading."""
    app = make_app(ROSTER_MAX_ROWS=20)
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    client = english(app.test_client())
    client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    assert "more than 20 rows" in refused(client, xlsx([a_row() for _ in range(21)]))
    assert "more than 20 rows" in refused(client, with_cell("A23"))
    declared = patched(
        xlsx([a_row()]),
        "xl/worksheets/sheet1.xml",
        lambda body: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:G1048576"', body),
    )
    assert "more than 20 rows" in refused(client, declared)
    assert upload(client, xlsx([a_row() for _ in range(20)])).status_code == 200


def test_a_long_cell_in_a_workbook_is_refused_naming_it(app, staff_client):
    """A cell longer than ``ROSTER_MAX_CELL_CHARS`` (a shared string or an inline one) is refused with its place."""
    html = refused(english(staff_client), xlsx([a_row("长" * 2001)]))
    assert "line 2, column B holds more than 2000 characters" in html


def test_shared_strings_count_at_every_use(make_app):
    """One long shared string used by many cells counts each time: the cells' text is bounded, not only the file."""
    app = make_app(ROSTER_MAX_MB=0.05)  # 52 KB of text
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    client = english(app.test_client())
    client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    note = "备" * 1000
    data = with_shared_strings(xlsx([[*a_row(), note] for _ in range(60)], [*HEADERS_ZH, "备注"]))
    assert len(data) < 40_000  # the note is stored once
    assert "the text of its cells is more than 0.05 MB" in refused(client, data)
    assert upload(client, with_shared_strings(xlsx([[*a_row(), note] for _ in range(3)]))).status_code == 200


def huge_string_workbook(megabytes: int) -> bytes:
    """A small workbook whose one shared string unzips to ``megabytes`` MB (the 500 KB file of issue 19, smaller)."""
    return patched(
        with_shared_strings(xlsx([a_row("占位")])),
        "xl/sharedStrings.xml",
        lambda body: body.replace("占位".encode(), b"a" * (megabytes * 1024 * 1024)),
    )


def test_a_workbook_that_unzips_far_beyond_its_size_is_refused_before_it_is_unzipped(app, staff_client):
    """A 25 KB file holding one 20 MB string is refused by its ZIP's declared sizes, before anything is unzipped."""
    data = huge_string_workbook(20)
    assert len(data) < 100_000
    assert "unzips to more than 100 times its size" in refused(english(staff_client), data)
    with app.app_context():
        assert count(Enterprise) == 0


def test_a_workbook_larger_than_the_limit_unzipped_is_refused(make_app):
    """Beyond ``ROSTER_MAX_MB`` unzipped, whatever the ratio, the file is refused saying so."""
    app = make_app(ROSTER_MAX_ZIP_RATIO=100_000)
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    client = english(app.test_client())
    client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    assert "its content unzipped is more than 32 MB" in refused(client, huge_string_workbook(40))


def test_a_part_that_unzips_to_more_than_it_declares_is_refused(app, staff_client):
    """The ZIP's directory understating a part's size (to pass the size check) makes the file unreadable."""
    data = bytearray(xlsx([a_row()]))
    member = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    entry = data.find(b"PK\x01\x02")  # the central directory's entries
    while entry != -1:
        name_length = int.from_bytes(data[entry + 28 : entry + 30], "little")
        if data[entry + 46 : entry + 46 + name_length] == member.filename.encode():
            data[entry + 24 : entry + 28] = (member.file_size // 2).to_bytes(4, "little")  # uncompressed size
            break
        entry = data.find(b"PK\x01\x02", entry + 4)
    assert entry != -1
    assert "not a spreadsheet we can read" in refused(english(staff_client), bytes(data))


def test_reading_is_bounded_in_time(make_app):
    """A file that takes longer than ``ROSTER_READ_SECONDS`` to read and check is refused saying so."""
    app = make_app(ROSTER_READ_SECONDS=0)
    with app.app_context():
        email = factories.staff().email
        db.session.commit()
    client = english(app.test_client())
    client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    assert "took longer than 0 seconds" in refused(client, xlsx([a_row() for _ in range(5)]))


@pytest.mark.parametrize("length", [3_000, 200_000])
def test_a_csv_with_one_long_cell_is_refused_naming_its_line_and_column(app, staff_client, length):
    """A cell past the limit, or past the csv module's own (128 KB, which raised from inside the reader), is
    refused naming line and column, in English and Chinese; nothing is saved."""
    rows = [a_row(), [factories.uscc(), "常州长文本有限公司", "制造", 10, "", "", "长" * length]]
    data = csv_bytes(rows, HEADERS_ZH)
    assert "line 3, column G holds more than 2000 characters" in refused(english(staff_client), data, "r.csv")
    with staff_client.session_transaction() as session:
        session["lang"] = "zh_CN"
    assert "第 3 行 G 列" in refused(staff_client, data, "r.csv")
    with app.app_context():
        assert count(Enterprise) == 0


@pytest.mark.parametrize(
    ("headers", "first", "second"),
    [
        (["企业名称", "统一社会信用代码", "公司名称"], "企业名称", "公司名称"),
        (["企业名称", "统一社会信用代码", "企业名称"], "企业名称", "企业名称"),
        (["name", "uscc", "Credit Code"], "uscc", "Credit Code"),
    ],
)
def test_a_column_named_twice_is_refused_naming_both(app, staff_client, headers, first, second):
    """Two headers for one field (synonyms count) are refused naming both, instead of the later silently winning
    (or every row skipped as "name missing" when the second is empty); nothing is saved."""
    rows = [["常州重复列有限公司", factories.uscc(), ""]]
    html = refused(english(staff_client), csv_bytes(rows, headers), "r.csv")
    assert f"The columns “{first}” and “{second}” are the same column" in html
    with app.app_context():
        assert count(Enterprise) == 0


def test_import_roster_refuses_a_file_beyond_the_limits_with_one_line(app, runner, tmp_path):
    """`import-roster` prints one clear line and exits non-zero for a file beyond a limit; nothing is saved."""
    path = tmp_path / "wide.xlsx"
    path.write_bytes(with_cell("AX2"))
    result = runner.invoke(args=["import-roster", str(path)])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "AX" in result.output
    with app.app_context():
        assert count(Enterprise) == 0


def test_a_realistic_roster_is_well_within_the_limits(app, staff_client):
    """A 2,000-row roster with a notes column, saved with shared strings as Excel does, reads as before."""
    rows = [[*a_row(f"常州第{n}号有限公司"), "备注" * 20] for n in range(2000)]
    response = upload(staff_client, with_shared_strings(xlsx(rows, [*HEADERS_ZH, "备注"])))
    assert response.status_code == 200 and 'data-count="create"><strong>2000</strong>' in response.get_data(
        as_text=True
    )


SHEET = "xl/worksheets/sheet1.xml"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda b: b.replace(b'<c r="A3"', b'<c r="XFD3"'), id="plain"),
        pytest.param(
            lambda b: re.sub(rb'<c r="A3"(.*?)</c>', rb'<x:c r="XFD3"\1</x:c>', b).replace(
                b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            ),
            id="prefixed",
        ),
        pytest.param(lambda b: b.replace(b'<c r="A3"', b'<c r="&#88;FD3"'), id="entity"),
        pytest.param(
            lambda b: b.replace(b"worksheet", b"notasheet").replace(b'<c r="A3"', b'<c r="XFD3"'), id="another-root"
        ),
        pytest.param(lambda b: b.replace(b'<c r="A3"', b'<c s="0" r="XFD3"'), id="not-first"),
        pytest.param(lambda b: b.replace(b'<c r="B3"', b"<c").replace(b'<c r="A3"', b'<c r="XFD3"'), id="counted-on"),
        pytest.param(
            lambda b: b.replace(b"<sheetData>", b"<!-- x --><sheetData>").replace(b'"A3"', b'"XFD3"'), id="comment"
        ),
    ],
)
def test_a_far_cell_is_refused_however_it_is_written(app, change):
    """The quick look at a sheet hands anything unusual (a prefix, an entity, a comment, a cell placed by counting)
    to the exact check, so a far cell is refused whichever looks at it."""
    data = patched(xlsx([a_row(), a_row()]), SHEET, change)
    with app.test_request_context(), pytest.raises(Invalid, match="XFD"):
        roster.read("r.xlsx", data)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-32-be"])
def test_a_sheet_not_in_utf_8_is_refused_by_the_check_itself(app, encoding):
    """A sheet in UTF-16 or UTF-32, with or without a byte-order mark (the check reads UTF-8 bytes), is refused by
    ``checked_workbook`` before any reader sees it, far cell or not."""

    def change(body: bytes) -> bytes:
        """The sheet re-encoded, with a cell at the last column and row."""
        far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        text = body.decode().split("?>", 1)[-1].replace("</sheetData>", far + "</sheetData>")
        return f'<?xml version="1.0" encoding="{encoding.upper()}"?>{text}'.encode(encoding)

    data = patched(xlsx([a_row()]), SHEET, change)
    with app.test_request_context(), pytest.raises(Invalid) as refused:
        spreadsheet.checked_workbook(data, spreadsheet.Limits.from_config(app.config))
    with app.test_request_context():
        assert str(refused.value) == str(spreadsheet.unreadable())


def test_the_quick_look_and_the_exact_check_read_a_roster_alike(app):
    """A roster whose sheet the quick look passes reads the same rows when a comment sends it to the exact check."""
    data = with_shared_strings(xlsx([a_row(f"常州第{n}号有限公司") for n in range(50)]))
    commented = patched(data, SHEET, lambda b: b.replace(b"<sheetData>", b"<!-- saved by hand --><sheetData>"))
    sheets = [zipfile.ZipFile(io.BytesIO(body)).read(SHEET) for body in (data, commented)]
    with app.test_request_context():
        limits = spreadsheet.Limits.from_config(app.config)
        assert [spreadsheet._plainly_within(sheet, 100, limits) for sheet in sheets] == [True, False]
        assert roster.read("a.xlsx", data) == roster.read("b.xlsx", commented)
        assert len(roster.read("a.xlsx", data)) == 50


def test_a_shared_string_table_that_declares_more_strings_than_cells_is_refused(tmp_path):
    """calamine reserves memory for the declared ``uniqueCount`` first (a billion: 24 GB, and the process aborted);
    a table declaring more strings than the allowed cells could use is refused before it is read."""
    path = tmp_path / "declared.xlsx"
    path.write_bytes(
        patched(
            with_shared_strings(xlsx([a_row()])),
            "xl/sharedStrings.xml",
            lambda body: re.sub(rb'uniqueCount="[0-9]+"', b'uniqueCount="1000000000"', body),
        )
    )
    done = read_in_a_small_process(path)
    assert done.returncode == 0, done.stderr[-500:]
    assert "refused: 该工作簿声明的文字条数超过了 50000 行、30 列的名录所能容纳的数量" in done.stdout


def test_import_roster_refuses_a_file_larger_than_the_limit_before_reading_it(make_app, tmp_path):
    """`import-roster` checks the file's size on disk first (the page is bounded by ``MAX_CONTENT_LENGTH`` too)."""
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes([a_row() for _ in range(40)], HEADERS_ZH))
    result = make_app(ROSTER_MAX_MB=0.001).test_cli_runner().invoke(args=["import-roster", str(path)])
    assert result.exit_code == 1 and "0.001 MB" in result.output
