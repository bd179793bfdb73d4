"""Every CSV and XLSX the portal writes defuses formulas: hostile text from anyone comes back as text, never a formula.

One helper writes them all (``core.spreadsheet``); the walk below fetches every ``.csv``/``.xlsx`` route of the URL
map with hostile values in every text a user can set, so a new download that writes its own file fails here.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from parkportal.checkups import service as checkups
from parkportal.core import spreadsheet
from parkportal.extensions import db
from parkportal.models import User

from . import factories
from .booking_support import working_lawyer
from .checkup_support import checkup_booking
from .event_support import make_event, registered
from .test_roster import csv_bytes, token_of, upload

#: Text that a spreadsheet would run, one per character that starts a formula.
HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1", "\r=1"]


def cells_of(path: str, body: bytes) -> list[str]:
    """Every text cell of a downloaded CSV or XLSX (formulas included, as their text)."""
    if path.endswith(".xlsx"):
        sheet = load_workbook(io.BytesIO(body)).active
        found = []
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path}: {cell.coordinate} is a formula"
                found.append(cell.value if isinstance(cell.value, str) else "")
        return found
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


@pytest.fixture
def hostile(app, staff_client):
    """A park where every text a user can set starts like a formula; returns each download's URL by endpoint."""
    with app.app_context():
        user = factories.enterprise_user(name=HOSTILE[1])
        enterprise = user.enterprise
        enterprise.name, enterprise.contact_name, enterprise.phone = HOSTILE[0], HOSTILE[2], HOSTILE[3]
        factories.enterprise(name=HOSTILE[0], contact_name=HOSTILE[4], phone=HOSTILE[5])  # not served: outreach list
        appointment = checkup_booking(user, working_lawyer())
        lawyer = db.session.get(User, appointment.lawyer_id)
        checkups.add_finding(
            appointment,
            lawyer,
            area="labor",
            finding=HOSTILE[0],
            basis=HOSTILE[2],
            recommendation=HOSTILE[3],
            level="high",
        )
        checkups.issue(appointment, lawyer, HOSTILE[0])
        event = make_event(starts_in=timedelta(days=-1))
        registration = registered(event, enterprise, status="attended", attended_count=1)
        registration.names = HOSTILE[1] + "\n" + HOSTILE[0]
        db.session.commit()
        event_id = event.id
    rows = [[value, "91320400MA1X000000", value, value, value, value, value] for value in HOSTILE]
    preview = upload(
        staff_client,
        csv_bytes(rows, ["企业名称", "统一社会信用代码", "行业", "人数", "联系人", "电话", "地址"]),
        "r.csv",
    )
    return {
        "coverage.export_csv": "/coverage/export.csv",
        "coverage.export_xlsx": "/coverage/export.xlsx",
        "coverage.not_served_csv": "/coverage/not-served.csv",
        "checkups.export": "/checkups/findings.csv?status=all",
        "events.attendance_csv": f"/events/{event_id}/attendance.csv",
        "enterprises.roster_problems": f"/enterprises/roster/{token_of(preview.get_data(as_text=True))}/problems.csv",
    }


def test_every_csv_and_xlsx_download_writes_hostile_text_as_text(app, staff_client, hostile):
    """Each download holds the hostile values with a leading apostrophe; no cell starts like a formula."""
    downloads = {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.endswith((".csv", ".xlsx"))}
    assert downloads == set(hostile), "a new CSV/XLSX download needs hostile data here"
    for endpoint, path in hostile.items():
        response = staff_client.get(path)
        assert response.status_code == 200, endpoint
        cells = cells_of(path, response.data)
        live = [cell for cell in cells if cell.startswith(spreadsheet.FORMULA_STARTS)]
        assert not live, f"{endpoint} writes formulas: {live[:3]}"
        assert "'" + HOSTILE[0] in cells, f"{endpoint} lost the hostile text"


def test_the_roster_problems_csv_defuses_every_formula_start(app, staff_client, hostile):
    """=, +, -, @, tab and CR from an imported file each come back with a leading apostrophe."""
    cells = cells_of(".csv", staff_client.get(hostile["enterprises.roster_problems"]).data)
    for value in HOSTILE:
        assert "'" + " ".join(value.split()) in cells or "'" + value in cells, value


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@A1", "\t1", "\r1"])
def test_safe_quotes_text_that_starts_a_formula_and_leaves_numbers(value):
    """Text starting like a formula gets an apostrophe; numbers (negative ones too) and plain text stay as they are."""
    assert spreadsheet.safe(value) == "'" + value
    assert spreadsheet.safe(-1) == -1 and spreadsheet.safe("常州") == "常州" and spreadsheet.safe(None) == ""
