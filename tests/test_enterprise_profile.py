"""An enterprise keeps its details up to date; staff return a registration for correction, the enterprise resubmits."""

from __future__ import annotations

from sqlalchemy import select

from parkportal.extensions import db
from parkportal.models import AuditLog, Enterprise, Notification, OutboxMessage, User

from . import factories
from .conftest import english


def enterprise_of(app, client) -> int:
    """The id of the signed-in client's enterprise."""
    with app.app_context():
        return db.session.get(User, client.user_id).enterprise_id


def test_staff_return_a_registration_with_a_note_and_the_users_are_told(app, pending_client, staff_client):
    """Returning for correction keeps the note, tells the users in-app and by e-mail, and is audited."""
    client = pending_client
    enterprise_id = enterprise_of(app, pending_client)
    note = "营业执照上的名称与填写不一致，请核对后修改。"
    response = staff_client.post(f"/enterprises/{enterprise_id}/reject", data={"reason": note})
    assert response.status_code == 303
    with app.app_context():
        enterprise = db.session.get(Enterprise, enterprise_id)
        assert (enterprise.status, enterprise.review_note) == ("rejected", note)
        assert db.session.scalar(select(Notification.link).where(Notification.user_id == client.user_id)) == (
            "/enterprises/mine"
        )
        assert note in db.session.scalars(select(OutboxMessage.body_text)).one()
        assert db.session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc())) == "enterprise.rejected"
    page = client.get("/enterprises/mine").get_data(as_text=True)
    assert note in page and 'data-enterprise-status="rejected"' in page


def test_returning_needs_a_note_and_a_pending_registration(app, pending_client, staff_client):
    """No note: 422 next to the field, nothing changes; a verified enterprise can't be returned (409)."""
    enterprise_id = enterprise_of(app, pending_client)
    response = english(staff_client).post(f"/enterprises/{enterprise_id}/reject", data={"reason": "  "})
    assert response.status_code == 422 and "Say what the enterprise should correct." in response.get_data(as_text=True)
    with app.app_context():
        verified = factories.enterprise(status="verified")
        db.session.commit()
        verified_id = verified.id
        assert db.session.get(Enterprise, enterprise_id).status == "pending"
    assert staff_client.post(f"/enterprises/{verified_id}/reject", data={"reason": "x"}).status_code == 409
    assert staff_client.post(f"/enterprises/{enterprise_id}/status", data={"status": "rejected"}).status_code == 400


def test_the_enterprise_corrects_name_and_code_and_resubmits(app, pending_client, staff_client):
    """A returned registration can change its name and USCC, then goes back to pending without the note."""
    client = pending_client
    enterprise_id = enterprise_of(app, pending_client)
    staff_client.post(f"/enterprises/{enterprise_id}/reject", data={"reason": "名称有误"})
    new_code = factories.uscc()
    form = {
        "name": "常州更正后科技有限公司",
        "uscc": new_code.lower(),
        "industry": "software",
        "employees": "10-49",
        "contact_name": "李娜",
        "phone": "13912345678",
        "address": "富都路 8 号 3 栋",
    }
    assert client.post("/enterprises/mine/edit", data=form).status_code == 303
    assert client.post("/enterprises/mine/resubmit").status_code == 303
    with app.app_context():
        enterprise = db.session.get(Enterprise, enterprise_id)
        assert (enterprise.name, enterprise.uscc, enterprise.address) == (form["name"], new_code, form["address"])
        assert (enterprise.status, enterprise.review_note) == ("pending", None)
    assert client.post("/enterprises/mine/resubmit").status_code == 409  # pending already


def test_a_verified_enterprise_edits_its_details_but_not_its_name(app, enterprise_client):
    """After verification the name and USCC go through staff: the form doesn't offer them and ignores them."""
    with app.app_context():
        enterprise = db.session.get(User, enterprise_client.user_id).enterprise
        name, code = enterprise.name, enterprise.uscc
    page = english(enterprise_client).get("/enterprises/mine/edit").get_data(as_text=True)
    assert 'name="uscc"' not in page and "please call the park service station" in page
    data = {
        "name": "改名",
        "uscc": factories.uscc(),
        "industry": "biotech",
        "employees": "50-99",
        "contact_name": "王强",
        "phone": "0519-86001234",
        "address": "",
    }
    assert enterprise_client.post("/enterprises/mine/edit", data=data).status_code == 303
    with app.app_context():
        enterprise = db.session.get(User, enterprise_client.user_id).enterprise
        assert (enterprise.name, enterprise.uscc) == (name, code)
        assert (enterprise.industry, enterprise.employees, enterprise.contact_name) == ("biotech", "50-99", "王强")
        entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "enterprise.updated")).one()
        assert set(entry.details["fields"]) >= {"industry", "employees", "contact_name", "phone"}


def test_bad_input_is_explained_and_kept(app, pending_client):
    """A bad phone or another enterprise's code: 422 next to the field, what was typed kept, nothing saved."""
    client = pending_client
    enterprise_id = enterprise_of(app, pending_client)
    with app.app_context():
        taken = factories.enterprise().uscc
        db.session.commit()
    data = {
        "name": "常州新名称有限公司",
        "uscc": taken,
        "industry": "software",
        "employees": "10-49",
        "contact_name": "李娜",
        "phone": "12345",
        "address": "",
    }
    response = english(client).post("/enterprises/mine/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Enter an 11-digit mobile number" in html and 'value="12345"' in html
    data["phone"] = "13912345678"
    response = english(client).post("/enterprises/mine/edit", data=data)
    assert response.status_code == 422 and "Another enterprise is registered with this code" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(Enterprise, enterprise_id).name != "常州新名称有限公司"


def test_an_archived_enterprise_has_nothing_to_edit(app, staff_client, enterprise_client):
    """Archived: the edit page is 404 (the station keeps the record)."""
    with app.app_context():
        enterprise_id = db.session.get(User, enterprise_client.user_id).enterprise_id
    staff_client.post(f"/enterprises/{enterprise_id}/status", data={"status": "archived"})
    assert enterprise_client.get("/enterprises/mine/edit").status_code == 404
