"""The park's roster: one code path (staff page and `import-roster`), preview first, matched by USCC, idempotent."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from parkportal.enterprises import roster, service
from parkportal.extensions import db
from parkportal.models import AuditLog, Enterprise, Notification

from . import factories
from .conftest import english

HEADERS_ZH = ["统一社会信用代码", "企业名称", "行业", "人数", "联系人", "电话", "地址"]


def xlsx(rows: list[list[object]], headers: list[str] = HEADERS_ZH) -> bytes:
    """A workbook whose first sheet holds ``headers`` and ``rows``."""
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[object]], headers: list[str], encoding: str = "utf-8-sig") -> bytes:
    """A CSV file in ``encoding``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, data: bytes, name: str = "名录.xlsx"):
    """POST the file to the staff page (the preview)."""
    return client.post(
        "/enterprises/roster", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def token_of(html: str) -> str:
    """The kept upload's token from the preview's apply form."""
    start = html.index("/enterprises/roster/") + len("/enterprises/roster/")
    return html[start : start + 32]


def count(model) -> int:
    """Rows of ``model``."""
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def codes() -> list[str]:
    """Five fresh valid USCCs."""
    return [factories.uscc() for _ in range(5)]


def test_preview_then_import_creates_enterprises_and_a_second_import_changes_nothing(app, staff_client, codes):
    """Columns in any order; the preview saves nothing; the import creates verified, imported enterprises once."""
    rows = [
        [codes[0], "常州恒远精密机械有限公司", "装备制造", 85, "周建国", 13861200001, "富都路 1 号"],
        [codes[1], "常州云帆软件科技有限公司", "软件和信息技术服务", "12人", "沈丽", "0519-86001234", ""],
    ]
    preview = upload(staff_client, xlsx(rows))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'data-count="create"><strong>2</strong>' in html
    with app.app_context():
        assert count(Enterprise) == 0
    applied = staff_client.post(f"/enterprises/roster/{token_of(html)}/apply")
    assert applied.status_code == 303
    with app.app_context():
        made = {e.uscc: e for e in db.session.scalars(select(Enterprise))}
        first = made[codes[0]]
        assert (first.name, first.industry, first.employees, first.phone) == (
            "常州恒远精密机械有限公司",
            "manufacturing",
            "50-99",
            "13861200001",
        )
        assert made[codes[1]].industry == "software" and made[codes[1]].employees == "10-49"
        assert {e.status for e in made.values()} == {"verified"} and {e.source for e in made.values()} == {"imported"}
        assert db.session.scalar(select(AuditLog.action)) == "enterprise.roster_imported"
    again = upload(staff_client, xlsx(rows)).get_data(as_text=True)
    assert 'data-count="unchanged"><strong>2</strong>' in again and "would change nothing" in english(
        staff_client
    ).post("/enterprises/roster", data={"file": (io.BytesIO(xlsx(rows)), "r.xlsx")}).get_data(as_text=True)


def test_csv_in_utf8_with_bom_and_in_gbk_with_english_headers(app, staff_client, codes):
    """CSV files in UTF-8 (BOM) and GBK, headers in English in another order, are read alike."""
    headers = ["name", "USCC", "Industry", "Employees", "Contact", "Phone", "Address"]
    for encoding, code in (("utf-8-sig", codes[0]), ("gbk", codes[1])):
        data = csv_bytes([["常州江南物流有限公司", code, "物流", "300", "吴敏", "13900000000", ""]], headers, encoding)
        html = upload(staff_client, data, "roster.csv").get_data(as_text=True)
        assert 'data-count="create"><strong>1</strong>' in html, encoding
        assert staff_client.post(f"/enterprises/roster/{token_of(html)}/apply").status_code == 303
    with app.app_context():
        names = set(db.session.scalars(select(Enterprise.name)))
        assert names == {"常州江南物流有限公司"} and count(Enterprise) == 2


def test_each_bad_row_says_why_and_is_skipped_and_downloadable(app, staff_client, codes):
    """Bad USCC, missing name, a code twice: skipped with reasons; an unknown industry is imported as Other."""
    rows = [
        ["91320400MA1X000000", "坏代码公司", "制造", 10, "", "", ""],
        [codes[0], "", "制造", 10, "", "", ""],
        [codes[1], "常州好代码有限公司", "宠物美容", "很多", "", "", ""],
        [codes[1], "常州重复有限公司", "制造", 10, "", "", ""],
    ]
    html = (
        english(staff_client)
        .post(
            "/enterprises/roster", data={"file": (io.BytesIO(xlsx(rows)), "r.xlsx")}, content_type="multipart/form-data"
        )
        .get_data(as_text=True)
    )
    assert 'data-count="skip"><strong>3</strong>' in html and 'data-count="create"><strong>1</strong>' in html
    assert "is not a valid unified social credit code" in html and "The enterprise name is missing." in html
    assert "The same code is on line 4 already." in html and "Unknown industry" in html
    problems = staff_client.get(f"/enterprises/roster/{token_of(html)}/problems.csv")
    text = problems.get_data().decode("utf-8-sig")
    assert problems.mimetype == "text/csv" and text.count("\n") == 5  # header + 4 rows with problems
    assert "宠物美容" in text and "坏代码公司" in text
    staff_client.post(f"/enterprises/roster/{token_of(html)}/apply")
    with app.app_context():
        only = db.session.scalars(select(Enterprise)).one()
        assert (only.uscc, only.industry, only.employees) == (codes[1], "other", None)


def test_a_self_registered_enterprise_on_the_roster_is_merged_and_verified(app, staff_client, pending_client):
    """The same USCC is one enterprise: updated from the roster, verified, its users told; no duplicate."""
    with app.app_context():
        mine = db.session.scalars(select(Enterprise)).one()
        code, enterprise_id = mine.uscc, mine.id
    html = upload(staff_client, xlsx([[code, "常州正式名称有限公司", "电商", 40, "孙强", "13700000000", "3 栋"]]))
    html = html.get_data(as_text=True)
    assert 'data-count="update"><strong>1</strong>' in html
    staff_client.post(f"/enterprises/roster/{token_of(html)}/apply")
    with app.app_context():
        assert count(Enterprise) == 1
        merged = db.session.get(Enterprise, enterprise_id)
        assert (merged.name, merged.status, merged.contact_name) == ("常州正式名称有限公司", "verified", "孙强")
        assert db.session.scalar(select(func.count()).select_from(Notification)) == 1  # "verified" to its user


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", b"%PDF-1.4 not a roster", "not a spreadsheet"),
        ("roster.xlsx", b"PK\x03\x04 broken zip", "not a spreadsheet"),
        ("roster.csv", "公司,地址\n甲,乙\n".encode(), "The first row must name the columns"),
    ],
)
def test_unusable_files_are_refused_and_nothing_is_written(app, staff_client, name, data, message):
    """A file that isn't a roster: 422 with a message next to the file field, nothing saved."""
    response = english(staff_client).post(
        "/enterprises/roster", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert count(Enterprise) == 0


def test_a_failed_import_writes_nothing(make_app, codes, monkeypatch):
    """If applying breaks half-way, the whole import is rolled back (one transaction)."""
    app = make_app(PROPAGATE_TEST_ERRORS=False)
    with app.app_context():
        person = factories.staff()
        pending = factories.enterprise(status="pending")
        db.session.commit()
        email, pending_code = person.email, pending.uscc
    client = app.test_client()
    client.post("/auth/login", data={"email": email, "password": factories.PASSWORD})
    rows = [
        [codes[0], "常州新建有限公司", "制造", 10, "", "", ""],
        [pending_code, "常州待认证有限公司", "", "", "", "", ""],
    ]
    html = upload(client, xlsx(rows)).get_data(as_text=True)

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service, "set_status", broken)
    assert client.post(f"/enterprises/roster/{token_of(html)}/apply").status_code == 500
    with app.app_context():
        assert db.session.scalar(select(Enterprise).where(Enterprise.uscc == codes[0])) is None


def test_import_roster_command_uses_the_same_path(app, runner, tmp_path, codes):
    """`flask import-roster FILE` previews, reports problems and applies; twice changes nothing; bad files fail."""
    path = tmp_path / "名录.xlsx"
    path.write_bytes(xlsx([[codes[0], "常州命令行有限公司", "制造", 5, "", "", ""], ["bad", "坏", "", "", "", "", ""]]))
    result = runner.invoke(args=["import-roster", str(path)])
    assert result.exit_code == 0 and "1 new, 0 updated, 0 unchanged, 1 skipped" in result.output
    again = runner.invoke(args=["import-roster", str(path)])
    assert "0 new, 0 updated, 1 unchanged" in again.output
    with app.app_context():
        assert count(Enterprise) == 1
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"a,b\n1,2\n")
    assert runner.invoke(args=["import-roster", str(junk)]).exit_code != 0


def test_kept_uploads_need_a_real_token(app):
    """Tokens are 32 hex characters of a kept file; anything else (paths included) is not found."""
    with app.app_context():
        for token in ("../../etc/passwd", "0" * 32, "x"):
            with pytest.raises(Exception, match="no such roster upload"):
                roster.kept(token)


def test_a_file_of_only_bad_rows_says_nothing_can_be_imported(app, staff_client):
    """When every row has an error the preview offers no import and says to correct the file (not "nothing new")."""
    rows = [["91320400MA1X000000", "坏代码公司", "制造", 10, "", "", ""], ["123456", "", "批发和零售业", 3, "", "", ""]]
    html = upload(english(staff_client), xlsx(rows)).get_data(as_text=True)
    assert 'data-count="skip"><strong>2</strong>' in html and "/apply" not in html
    assert "No row of this file can be imported" in html and "would change nothing" not in html


def test_common_industry_names_of_the_national_classification_are_recognised(app):
    """批发和零售业 (wholesale and retail) is trade, not "Other"."""
    from parkportal.enterprises.vocab import industry_code

    with app.test_request_context():
        assert industry_code("批发和零售业") == "ecommerce" and industry_code("Retail") == "ecommerce"
