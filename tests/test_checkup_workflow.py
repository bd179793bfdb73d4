"""The checkup workflow through its public URLs: questionnaire draft → finish, findings, issuing, revisions,
corrections and their confirmation, the follow-up reminder, the park's findings and their CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select

from parkportal.checkups import service as checkups
from parkportal.extensions import db
from parkportal.models import AuditLog, Checkup, Finding, Notification, OutboxMessage, ReportRevision
from parkportal.timeutil import local_today

from . import factories
from .booking_support import working_lawyer
from .checkup_support import checkup_booking, full_answers
from .conftest import english


def _setup(app, enterprise_client, lawyer_client, confirm=True):
    """A checkup booked by the enterprise client's user with the lawyer client."""
    with app.app_context():
        from parkportal.models import User

        user = db.session.get(User, enterprise_client.user_id)
        lawyer = db.session.get(User, lawyer_client.user_id)
        from datetime import time

        from parkportal.availability.service import add_weekly_range

        for weekday in range(1, 6):
            add_weekly_range(lawyer, weekday, time(9), time(17))
        appointment = checkup_booking(user, lawyer, confirm=confirm)
        db.session.commit()
        return appointment.id


def _checkup(booking_id):
    return db.session.scalar(select(Checkup).where(Checkup.appointment_id == booking_id))


def test_enterprise_saves_part_and_finishes_later(app, enterprise_client, lawyer_client):
    """A draft keeps what was answered; coming back shows it; finishing hands the answers to the lawyer."""
    booking_id = _setup(app, enterprise_client, lawyer_client)
    response = enterprise_client.post(
        f"/checkups/{booking_id}/answers", data={"lb_written_contracts": "no", "cl_capital_paid": "paid"}
    )
    assert response.status_code == 303
    page = enterprise_client.get(f"/checkups/{booking_id}").get_data(as_text=True)
    assert 'name="lb_written_contracts" value="no" checked' in page
    with app.app_context():
        checkup = _checkup(booking_id)
        assert checkup.answers == {"lb_written_contracts": "no", "cl_capital_paid": "paid"}
        assert checkup.answers_finished_at is None
    answers = full_answers(lb_written_contracts="no")
    del answers["cl_capital_paid"]  # answered in the draft already
    response = enterprise_client.post(f"/checkups/{booking_id}/answers", data={**answers, "finish": "1"})
    assert response.status_code == 303
    with app.app_context():
        checkup = _checkup(booking_id)
        assert checkup.is_finished and checkup.answers["cl_capital_paid"] == "paid"
        links = db.session.scalars(select(Notification.link).where(Notification.user_id == lawyer_client.user_id))
        assert f"/checkups/{booking_id}" in list(links)
        actions = set(db.session.scalars(select(AuditLog.action)))
        assert {"checkup.answers_saved", "checkup.answers_finished"} <= actions
    lawyer_page = lawyer_client.get(f"/checkups/{booking_id}").get_data(as_text=True)
    assert 'data-flag="lb_written_contracts" data-risk-level="high"' in lawyer_page


def test_finishing_with_missing_answers_keeps_the_input(app, enterprise_client, lawyer_client):
    """Finishing with a required question open answers 422, marks the question and keeps every answer given."""
    booking_id = _setup(app, enterprise_client, lawyer_client)
    english(enterprise_client)
    answers = full_answers(ds_notes="请重点看股权结构")
    del answers["lb_social_insurance"]
    response = enterprise_client.post(f"/checkups/{booking_id}/answers", data={**answers, "finish": "1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="q-lb_social_insurance-error"' in page and "Please answer this question." in page
    assert 'value="请重点看股权结构"' in page
    assert 'name="lb_written_contracts" value="yes" checked' in page
    with app.app_context():
        assert _checkup(booking_id) is None  # nothing half-written


def test_an_invalid_choice_is_refused_next_to_its_question(app, enterprise_client, lawyer_client):
    """A value that is no option of the question is refused (422) even in a draft."""
    booking_id = _setup(app, enterprise_client, lawyer_client)
    english(enterprise_client)
    response = enterprise_client.post(f"/checkups/{booking_id}/answers", data={"cl_capital_paid": "maybe"})
    assert response.status_code == 422
    assert 'id="q-cl_capital_paid-error"' in response.get_data(as_text=True)


def test_finished_answers_are_fixed(app, enterprise_client, lawyer_client):
    """After finishing, the questionnaire can't be changed (409) and the page shows the answers read-only."""
    booking_id = _setup(app, enterprise_client, lawyer_client)
    enterprise_client.post(f"/checkups/{booking_id}/answers", data={**full_answers(), "finish": "1"})
    response = enterprise_client.post(f"/checkups/{booking_id}/answers", data={"lb_written_contracts": "no"})
    assert response.status_code == 409
    page = enterprise_client.get(f"/checkups/{booking_id}").get_data(as_text=True)
    assert 'id="questionnaire-form"' not in page


FINDING = {
    "area": "labor",
    "finding": "3 名生产线员工入职超过一个月仍未签订书面劳动合同。",
    "basis": "《劳动合同法》第十条、第八十二条",
    "level": "high",
    "recommendation": "立即补签书面劳动合同，并核算可能的二倍工资差额。",
}


def test_report_workflow_draft_issue_revision(app, enterprise_client, lawyer_client):
    """Findings stay a draft until issued; issuing tells the enterprise; a later change makes revision 2."""
    booking_id = _setup(app, enterprise_client, lawyer_client)
    deadline = (local_today() + timedelta(days=30)).isoformat()
    response = lawyer_client.post(f"/checkups/{booking_id}/findings", data={**FINDING, "deadline": deadline})
    assert response.status_code == 303
    with app.app_context():
        finding_id = db.session.scalar(select(Finding.id))
    page = enterprise_client.get(f"/checkups/{booking_id}").get_data(as_text=True)
    assert f'data-finding-id="{finding_id}"' not in page  # a draft is the lawyer's
    assert enterprise_client.get(f"/checkups/{booking_id}/report.pdf").status_code == 404

    response = lawyer_client.post(
        f"/checkups/{booking_id}/issue", data={"summary": "整体风险可控，劳动用工需立即整改。"}
    )
    assert response.status_code == 303
    page = enterprise_client.get(f"/checkups/{booking_id}").get_data(as_text=True)
    assert f'data-finding-id="{finding_id}" data-risk-level="high"' in page
    with app.app_context():
        checkup = _checkup(booking_id)
        assert checkup.revision == 1 and checkup.report_status == "issued"
        assert checkup.follow_up_on.isoformat() == deadline  # the earliest deadline by default
        told = db.session.scalars(select(Notification.link).where(Notification.user_id == enterprise_client.user_id))
        assert f"/checkups/{booking_id}" in list(told)
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) >= 1

    # Issuing again without a change is refused: nothing to revise.
    again = lawyer_client.post(f"/checkups/{booking_id}/issue", data={"summary": "整体风险可控，劳动用工需立即整改。"})
    assert again.status_code == 409

    second = {**FINDING, "area": "data_privacy", "level": "low", "finding": "官网隐私政策未列明第三方 SDK。"}
    assert lawyer_client.post(f"/checkups/{booking_id}/findings", data=second).status_code == 303
    page = enterprise_client.get(f"/checkups/{booking_id}").get_data(as_text=True)
    assert "第三方 SDK" not in page  # not silently added to the issued report
    assert (
        lawyer_client.post(f"/checkups/{booking_id}/issue", data={"summary": "补充数据合规意见。"}).status_code == 303
    )
    page = enterprise_client.get(f"/checkups/{booking_id}").get_data(as_text=True)
    assert "第三方 SDK" in page and 'data-revision="2"' in page
    first = enterprise_client.get(f"/checkups/{booking_id}?revision=1").get_data(as_text=True)
    assert "第三方 SDK" not in first and "整体风险可控" in first  # the earlier revision stays readable
    assert enterprise_client.get(f"/checkups/{booking_id}?revision=3").status_code == 404
    with app.app_context():
        revisions = db.session.scalars(select(ReportRevision).order_by(ReportRevision.number)).all()
        assert [len(r.findings) for r in revisions] == [1, 2]
        actions = list(db.session.scalars(select(AuditLog.action)))
        assert "checkup.report_issued" in actions and "checkup.report_revised" in actions
        revised = db.session.scalars(
            select(Notification.text).where(
                Notification.user_id == enterprise_client.user_id, Notification.link.contains("/checkups/")
            )
        ).all()
        assert len(revised) == 2


def test_issued_finding_cant_be_removed_but_a_draft_can(app, enterprise_client, lawyer_client):
    """The lawyer removes a draft finding; an issued one stays (409)."""
    booking_id = _setup(app, enterprise_client, lawyer_client)
    lawyer_client.post(f"/checkups/{booking_id}/findings", data=FINDING)
    with app.app_context():
        finding_id = db.session.scalar(select(Finding.id))
    lawyer_client.post(f"/checkups/{booking_id}/issue", data={"summary": "见下。"})
    assert lawyer_client.post(f"/checkups/findings/{finding_id}/delete").status_code == 409
    lawyer_client.post(f"/checkups/{booking_id}/findings", data={**FINDING, "finding": "草稿"})
    with app.app_context():
        draft_id = db.session.scalar(select(Finding.id).where(Finding.finding == "草稿"))
    assert lawyer_client.post(f"/checkups/findings/{draft_id}/delete").status_code == 303
    with app.app_context():
        assert db.session.get(Finding, draft_id) is None


def test_bad_finding_is_refused_with_the_input_kept(app, enterprise_client, lawyer_client):
    """A finding without a level and with a bad deadline answers 422 with the messages and the text kept."""
    booking_id = _setup(app, enterprise_client, lawyer_client)
    english(lawyer_client)
    response = lawyer_client.post(
        f"/checkups/{booking_id}/findings", data={**FINDING, "level": "", "deadline": "2026-13-45"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose the risk level" in page and "YYYY-MM-DD" in page and "入职超过一个月" in page
    past = lawyer_client.post(f"/checkups/{booking_id}/findings", data={**FINDING, "deadline": "2001-01-01"})
    assert past.status_code == 422 and "The deadline lies in the past." in past.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Finding)) == 0


def test_issue_needs_a_summary(app, enterprise_client, lawyer_client):
    """Issuing without a summary is refused next to the field."""
    booking_id = _setup(app, enterprise_client, lawyer_client)
    english(lawyer_client)
    response = lawyer_client.post(f"/checkups/{booking_id}/issue", data={"summary": " "})
    assert response.status_code == 422 and "Write a summary" in response.get_data(as_text=True)


def test_a_request_not_yet_confirmed_takes_no_findings(app, enterprise_client, lawyer_client):
    """Findings wait for the confirmed checkup (409), while the enterprise can already answer."""
    booking_id = _setup(app, enterprise_client, lawyer_client, confirm=False)
    assert lawyer_client.post(f"/checkups/{booking_id}/findings", data=FINDING).status_code == 409
    assert enterprise_client.post(f"/checkups/{booking_id}/answers", data={"ip_trademark": "yes"}).status_code == 303


def _issued(app, enterprise_client, lawyer_client, **finding):
    booking_id = _setup(app, enterprise_client, lawyer_client)
    lawyer_client.post(f"/checkups/{booking_id}/findings", data={**FINDING, **finding})
    lawyer_client.post(f"/checkups/{booking_id}/issue", data={"summary": "体检结论"})
    with app.app_context():
        return booking_id, db.session.scalar(select(Finding.id))


def test_correction_and_its_confirmation(app, enterprise_client, lawyer_client, staff_client):
    """The enterprise marks a finding corrected with a note; staff confirm; both steps tell the other side."""
    booking_id, finding_id = _issued(app, enterprise_client, lawyer_client)
    english(enterprise_client)
    empty = enterprise_client.post(f"/checkups/findings/{finding_id}/correct", data={"note": ""})
    assert empty.status_code == 422 and "Say briefly what was done" in empty.get_data(as_text=True)
    assert lawyer_client.post(f"/checkups/findings/{finding_id}/correct", data={"note": "x"}).status_code == 403
    assert staff_client.post(f"/checkups/findings/{finding_id}/confirm").status_code == 409  # nothing reported yet
    ok = enterprise_client.post(f"/checkups/findings/{finding_id}/correct", data={"note": "已与 3 名员工补签合同"})
    assert ok.status_code == 303
    twice = enterprise_client.post(f"/checkups/findings/{finding_id}/correct", data={"note": "again"})
    assert twice.status_code == 409
    assert enterprise_client.post(f"/checkups/findings/{finding_id}/confirm").status_code == 403
    assert staff_client.post(f"/checkups/findings/{finding_id}/confirm").status_code == 303
    with app.app_context():
        finding = db.session.get(Finding, finding_id)
        assert finding.status == "confirmed" and finding.correction_note == "已与 3 名员工补签合同"
        texts = db.session.scalars(select(Notification.user_id)).all()
        assert lawyer_client.user_id in texts and enterprise_client.user_id in texts
        actions = set(db.session.scalars(select(AuditLog.action)))
        assert {"checkup.finding_corrected", "checkup.correction_confirmed"} <= actions
    page = enterprise_client.get(f"/checkups/{booking_id}").get_data(as_text=True)
    assert 'data-finding-status="confirmed"' in page


def test_a_correction_that_is_not_enough_is_sent_back_and_reported_again(
    app, enterprise_client, lawyer_client, staff_client
):
    """The lawyer sends a reported correction back with what is missing (a note is required, only a reported one,
    never by the enterprise); the finding is open again, the enterprise is told and sees why, and can report anew."""
    booking_id, finding_id = _issued(app, enterprise_client, lawyer_client)
    english(lawyer_client)
    url = f"/checkups/findings/{finding_id}/return"
    assert lawyer_client.post(url, data={"note": "还缺"}).status_code == 409  # nothing reported yet
    enterprise_client.post(f"/checkups/findings/{finding_id}/correct", data={"note": "已补签部分合同"})
    assert enterprise_client.post(url, data={"note": "x"}).status_code == 403
    empty = lawyer_client.post(url, data={"note": "  "})
    assert empty.status_code == 422 and "Say what is still missing" in empty.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Finding, finding_id).status == "corrected"  # the refused attempt wrote nothing
        db.session.query(Notification).delete()
        db.session.commit()
    assert lawyer_client.post(url, data={"note": "仍有 2 名员工未签书面劳动合同"}).status_code == 303
    with app.app_context():
        finding = db.session.get(Finding, finding_id)
        assert (finding.status, finding.returned_note) == ("open", "仍有 2 名员工未签书面劳动合同")
        assert finding.returned_by_id == lawyer_client.user_id and finding.returned_at is not None
        assert set(db.session.scalars(select(Notification.user_id))) == {enterprise_client.user_id}
        assert db.session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc())) == "checkup.correction_returned"
    page = enterprise_client.get(f"/checkups/{booking_id}").get_data(as_text=True)
    assert 'data-finding-status="open"' in page and "仍有 2 名员工未签书面劳动合同" in page
    again = enterprise_client.post(f"/checkups/findings/{finding_id}/correct", data={"note": "已全部补签"})
    assert again.status_code == 303
    assert staff_client.post(f"/checkups/findings/{finding_id}/confirm").status_code == 303


def test_follow_up_reminder_is_sent_once(app, runner, enterprise_client, lawyer_client):
    """send-reminders reminds both sides when the follow-up day has come, exactly once."""
    booking_id, _finding_id = _issued(app, enterprise_client, lawyer_client)
    with app.app_context():
        checkup = _checkup(booking_id)
        checkup.follow_up_on = local_today() - timedelta(days=1)
        db.session.commit()
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0 and "1 checkup follow-up" in first.output
    second = runner.invoke(args=["send-reminders"])
    assert "0 checkup follow-ups" in second.output
    with app.app_context():
        reminded = db.session.scalars(
            select(Notification.user_id).where(Notification.link == f"/checkups/{booking_id}")
        ).all()
        assert reminded.count(lawyer_client.user_id) == 1  # the enterprise also heard of the report itself
        assert reminded.count(enterprise_client.user_id) == 2


def test_follow_up_claim_wins_once(app, enterprise_client, lawyer_client):
    """Two runs racing for one due follow-up: only one claims it (the claim is the database's)."""
    booking_id, _finding_id = _issued(app, enterprise_client, lawyer_client)
    with app.app_context():
        checkup = _checkup(booking_id)
        checkup.follow_up_on = local_today()
        db.session.commit()
        assert checkups.queue_follow_ups() == 1
        assert checkups.queue_follow_ups() == 0
        db.session.rollback()


def test_park_findings_filters_and_csv(app, enterprise_client, lawyer_client, staff_client):
    """Staff filter the park's findings by level, area and status, and export the same rows as CSV."""
    booking_id, finding_id = _issued(app, enterprise_client, lawyer_client)
    with app.app_context():
        other_user = factories.enterprise_user(name="李四")
        other = checkup_booking(other_user, working_lawyer(), weekday=3)
        from parkportal.models import User

        lawyer = db.session.get(User, other.lawyer_id)
        checkups.add_finding(other, lawyer, area="tax", finding="公私账户混用", level="medium")
        checkups.issue(other, lawyer, "税务规范")
        db.session.commit()
        name = other_user.enterprise.name
    page = staff_client.get("/checkups/?level=high&area=labor&status=open").get_data(as_text=True)
    assert f'data-finding-id="{finding_id}"' in page and "公私账户混用" not in page
    everything = staff_client.get("/checkups/?status=all").get_data(as_text=True)
    assert "公私账户混用" in everything
    fragment = staff_client.get("/checkups/?level=medium", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and 'id="results"' in fragment.get_data(as_text=True)
    export = staff_client.get("/checkups/findings.csv?level=medium")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["企业名称", "统一社会信用代码", "领域"]
    assert [row[0] for row in rows[1:]] == [name]
    # A lawyer sees the park's counts, but only their own checkups' findings in the list.
    lawyer_page = lawyer_client.get("/checkups/?status=all").get_data(as_text=True)
    assert f'data-finding-id="{finding_id}"' in lawyer_page and "公私账户混用" not in lawyer_page
    assert 'data-area="tax"' in lawyer_page
    assert "公私账户混用" not in lawyer_client.get("/checkups/findings.csv?status=all").get_data().decode("utf-8")


def test_booking_page_links_to_the_checkup(app, enterprise_client, lawyer_client):
    """The checkup's booking page leads the enterprise to the questionnaire."""
    booking_id = _setup(app, enterprise_client, lawyer_client)
    page = enterprise_client.get(f"/bookings/{booking_id}").get_data(as_text=True)
    assert f'href="/checkups/{booking_id}"' in page
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage.body_text)).all()
        assert any(f"/checkups/{booking_id}" in body for body in mail)


def test_a_rescheduled_checkup_keeps_its_answers(app, enterprise_client, lawyer_client, staff_client):
    """Answers saved on a booking that is then moved show on the new booking, and saving moves the checkup over."""
    booking_id = _setup(app, enterprise_client, lawyer_client)
    enterprise_client.post(f"/checkups/{booking_id}/answers", data={"ip_trademark": "no"})
    with app.app_context():
        from parkportal.bookings import service as booking
        from parkportal.models import Appointment, User

        appointment = db.session.get(Appointment, booking_id)
        moved = booking.reschedule(
            appointment,
            db.session.get(User, staff_client.user_id),
            appointment.start_at + timedelta(days=1),
            reason="企业申请改期",
        )
        db.session.commit()
        moved_id = moved.id
    page = enterprise_client.get(f"/checkups/{moved_id}").get_data(as_text=True)
    assert 'name="ip_trademark" value="no" checked' in page
    assert (
        enterprise_client.post(f"/checkups/{moved_id}/answers", data={"ip_software_licences": "yes"}).status_code == 303
    )
    with app.app_context():
        checkup = db.session.scalar(select(Checkup))
        assert checkup.appointment_id == moved_id and checkup.answers["ip_trademark"] == "no"


def test_seed_demo_has_issued_reports_at_every_level(app, runner):
    """seed-demo adds issued checkup reports whose findings cover red, yellow and green, and a revised one."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        levels = set(db.session.scalars(select(Finding.level).where(Finding.issued_in.is_not(None))))
        assert levels == {"high", "medium", "low"}
        assert db.session.scalar(select(func.max(Checkup.revision))) >= 2
        statuses = set(db.session.scalars(select(Finding.status)))
        assert {"open", "corrected", "confirmed"} <= statuses


def test_seed_demo_findings_belong_to_their_bookings_lawyer(app, runner):
    """Every demo finding has its booking's lawyer and enterprise, and a demo lawyer's park list shows theirs."""
    from parkportal.demo import DEMO_PASSWORD, LAWYERS
    from parkportal.models import Appointment, User

    from .conftest import sign_in

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        rows = db.session.execute(
            select(
                Finding.id, Finding.lawyer_id, Finding.enterprise_id, Appointment.lawyer_id, Appointment.enterprise_id
            )
            .join(Checkup, Checkup.id == Finding.checkup_id)
            .join(Appointment, Appointment.id == Checkup.appointment_id)
        ).all()
        assert len(rows) >= 10
        assert all(row[1] is not None and row[1:3] == row[3:5] for row in rows)
        demo_lawyers = {db.session.scalar(select(User.id).where(User.email == email)): email for email, *_ in LAWYERS}
        theirs = {email: {r[0] for r in rows if r[1] == ident} for ident, email in demo_lawyers.items()}
    email, ids = max(theirs.items(), key=lambda item: len(item[1]))
    assert ids
    page = sign_in(app, email, DEMO_PASSWORD).get("/checkups/?status=all").get_data(as_text=True)
    assert all(f'data-finding-id="{ident}"' in page for ident in ids)


def test_a_finding_written_as_a_plain_row_takes_its_bookings_parties(app, enterprise_client, lawyer_client):
    """However a finding is made, the flush gives it its booking's enterprise and lawyer (not whatever was set)."""
    booking_id = _setup(app, enterprise_client, lawyer_client)
    with app.app_context():
        from parkportal.models import Appointment

        appointment = db.session.get(Appointment, booking_id)
        checkup = Checkup(appointment_id=booking_id, questionnaire_id=checkups.stored_questionnaire().id, answers={})
        stray = factories.enterprise()
        db.session.add(checkup)
        db.session.flush()
        finding = Finding(
            checkup_id=checkup.id, enterprise_id=stray.id, area="labor", finding="劳动合同未书面订立", level="high"
        )
        db.session.add(finding)
        db.session.commit()
        assert (finding.enterprise_id, finding.lawyer_id) == (appointment.enterprise_id, appointment.lawyer_id)
        assert finding.lawyer_id is not None
