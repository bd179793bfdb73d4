"""Notifications are written in the recipient's language, not the language of whoever acted.

A Chinese-speaking enterprise books labour advice (confirmed at once) with a lawyer who reads English: the lawyer's
in-app notification and e-mail are English (the enterprise's Chinese-speaking colleague hears of it in Chinese);
and the other way round.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from parkportal.extensions import db
from parkportal.models import Notification, OutboxMessage, User

from . import factories
from .booking_support import future_weekday, iso, working_lawyer
from .conftest import english, sign_in

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def people(app):
    """Returns ``make(lawyer_locale, enterprise_locale)``: a working lawyer, an enterprise user and a colleague."""

    def make(lawyer_locale: str, enterprise_locale: str) -> dict:
        with app.app_context():
            lawyer = working_lawyer(locale=lawyer_locale)
            user = factories.enterprise_user(locale=enterprise_locale)
            colleague = factories.enterprise_user(user.enterprise, locale=enterprise_locale)
            db.session.commit()
            return {"lawyer": lawyer.id, "user": user.email, "colleague": colleague.id}

    return make


def book_labour_advice(app, email: str, lawyer_id: int, in_english: bool) -> int:
    """The enterprise user books labour advice with the lawyer through the booking page; returns its id."""
    client = sign_in(app, email)
    if in_english:
        english(client)
    form = {
        "service": "labor",
        "start": iso(future_weekday(2), "10:00"),
        "lawyer_id": str(lawyer_id),
        "mode": "video",
        "topic": "labor",
        "description": "劳动合同续签",
    }
    response = client.post("/bookings/new", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def received(user_id: int) -> tuple[str, OutboxMessage]:
    """The one in-app notification text and the one e-mail ``user_id`` got."""
    user = db.session.get(User, user_id)
    (note,) = db.session.scalars(select(Notification).where(Notification.user_id == user_id)).all()
    (mail,) = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email)).all()
    return note.text, mail


def test_an_english_reading_lawyer_hears_in_english_from_a_chinese_speaking_enterprise(app, people):
    """The lawyer (English) gets an English notification and e-mail; the enterprise's colleague (Chinese) Chinese."""
    ids = people(lawyer_locale="en", enterprise_locale="zh_CN")
    booking_id = book_labour_advice(app, ids["user"], ids["lawyer"], in_english=False)
    with app.app_context():
        text, mail = received(ids["lawyer"])
        assert text.startswith("New booking: Labour and employment advice") and f"(#{booking_id})" in text
        assert mail.subject.startswith("New booking: Labour and employment advice")
        assert "Hello " in mail.body_text and "(Beijing time)" in mail.body_text
        assert not HAN.search(text) and not HAN.search(mail.subject)
        colleague_text, colleague_mail = received(ids["colleague"])
        assert colleague_text.startswith("新预约") and "劳动用工咨询" in colleague_text
        assert "您好" in colleague_mail.body_text and "北京时间" in colleague_mail.body_text


def test_a_chinese_reading_lawyer_hears_in_chinese_from_an_english_speaking_enterprise(app, people):
    """The lawyer (Chinese) gets a Chinese notification and e-mail although the enterprise booked in English."""
    ids = people(lawyer_locale="zh_CN", enterprise_locale="en")
    book_labour_advice(app, ids["user"], ids["lawyer"], in_english=True)
    with app.app_context():
        text, mail = received(ids["lawyer"])
        assert text.startswith("新预约") and "劳动用工咨询" in text and "New booking" not in text
        assert mail.subject.startswith("新预约") and "劳动用工咨询" in mail.subject
        assert "您好" in mail.body_text and "北京时间" in mail.body_text and "Beijing time" not in mail.body_text
        colleague_text, colleague_mail = received(ids["colleague"])
        assert colleague_text.startswith("New booking: Labour and employment advice")
        assert colleague_mail.subject.startswith("New booking: Labour")
