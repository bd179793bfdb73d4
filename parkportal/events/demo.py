"""Demo events: a year of the park's legal-awareness programme — about nine months past, three ahead — with
registrations, waitlists, check-ins and ratings. Deterministic via ``rng``."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from ..extensions import db
from ..models import Enterprise, Event, EventTopic, Registration, User
from ..timeutil import local_datetime, local_today, utcnow
from .vocab import EventStatus, RegStatus

HALL = "园区综合服务中心三楼报告厅"
ROOM = "园区综合服务中心一楼 法治服务站"
SQUARE = "富都江南新经济产业园 中心广场"

#: (title, category, topics, hours, capacity, seats per enterprise, place, description)
# fmt: off
PROGRAMME = [
    ("新《公司法》解读：注册资本实缴与股东责任", "lecture", "company_law", 2.5, 80, 2, HALL,
     "2024 年 7 月 1 日起施行的新《公司法》要求有限责任公司认缴出资**五年内缴足**。\n\n"
     "- 存量公司如何调整出资期限\n- 股东失权与催缴\n- 董事、监事、高管的新责任"),
    ("安全生产月启动仪式暨安全生产法宣讲", "campaign", "safety", 3, None, 5, SQUARE,
     "“人人讲安全、个个会应急”。现场设安全生产法律咨询台，律师解答企业主体责任问题。"),
    ("劳动法宣传周：劳动合同签订、变更与解除", "lecture", "labor", 2, 60, 2, HALL,
     "围绕试用期、竞业限制、经济补偿金等常见争议，结合钟楼区劳动仲裁典型案例讲解。"),
    ("合同风险防范专题讲座", "lecture", "contracts", 2, 60, 2, HALL,
     "采购、销售、租赁合同中的付款、验收、违约责任条款怎么写？现场讲解合同审查要点。"),
    ("企业法律体检日", "checkup_day", "company_law,contracts,labor", 6, 12, 1, ROOM,
     "律师一对一为企业开展法律体检，出具体检报告。每家企业约 90 分钟，请提前准备公司章程和主要合同。"),
    ("知识产权保护与商标布局实务", "training", "ip", 3, 40, 2, HALL,
     "商标注册、专利申请与商业秘密保护，跨境电商企业如何应对侵权投诉。"),
    ("数据合规与个人信息保护培训", "training", "data_privacy", 3, 40, 2, HALL,
     "《个人信息保护法》《数据安全法》下企业的合规义务，员工信息和客户数据怎么管。"),
    ("税务合规与发票风险讲座", "lecture", "tax", 2, 50, 2, HALL,
     "金税四期下的发票管理、研发费用加计扣除与常见税务稽查风险。"),
    ("劳动用工法律咨询日", "consultation_day", "labor", 4, 20, 1, ROOM,
     "律师现场解答劳动用工问题：加班工资、社保缴纳、员工离职。"),
    ("民营企业应收账款催收与诉讼实务", "training", "disputes,contracts", 2.5, 40, 2, HALL,
     "从对账函、律师函到诉讼保全，讲解账款催收的证据准备与时效。"),
    ("宪法宣传周：法治园区建设成果展", "campaign", "other", 4, None, 5, SQUARE,
     "“12·4”国家宪法日主题宣传活动，展示园区法治建设成果，发放《企业法律实务汇编》。"),
    ("安全生产责任制与事故应急处置培训", "training", "safety", 3, 50, 3, HALL,
     "生产经营单位主要负责人的法定职责，事故报告与应急处置流程。"),
]
# fmt: on
#: The days of each month on (or after) which the three events of that month are held.
DAYS = (6, 14, 22)


def seed_events(rng: random.Random, enterprises: list[Enterprise], lawyers: list[User], staff: User) -> str:
    """Add a year of events with their registrations; flushes. Returns a short summary."""
    verified = [e for e in enterprises if e.status == "verified"]
    today = local_today()
    now = utcnow()
    events = registrations = 0
    first_month = _month(today, -9)
    for month_index in range(12):
        month = _month(first_month, month_index)
        for slot, day in enumerate(DAYS):
            item = PROGRAMME[(month_index * len(DAYS) + slot) % len(PROGRAMME)]
            start_day = _weekday(month.replace(day=day))
            event = _event(item, start_day, slot, lawyers, staff, rng, now)
            db.session.add(event)
            db.session.flush()
            registrations += _registrations(event, rng, verified, now)
            events += 1
    db.session.flush()
    return f"{events} events with {registrations} registrations"


def _month(day: date, offset: int) -> date:
    """The first day of the month ``offset`` months from ``day``'s."""
    index = day.year * 12 + day.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def _weekday(day: date) -> date:
    """``day``, or the next Monday–Thursday after it (events are held on working days)."""
    while day.isoweekday() > 4:
        day += timedelta(days=1)
    return day


def _event(item, day: date, slot: int, lawyers, staff, rng, now) -> Event:
    """One event of the programme on ``day``."""
    title, category, topics, hours, capacity, seats, place, description = item
    start = local_datetime(day, time(9, 30) if slot != 1 else time(14, 0))
    end = start + timedelta(hours=hours)
    status = EventStatus.PUBLISHED
    if start > now + timedelta(days=60) and slot == 2:
        status = EventStatus.DRAFT
    event = Event(
        title=title,
        description=description,
        category=category,
        start_at=start,
        end_at=end,
        location=place,
        online_url="https://meeting.tencent.com/dm/fudu-park" if category == "training" and slot == 2 else None,
        capacity=capacity,
        seats_per_enterprise=seats,
        registration_deadline=start - timedelta(days=1),
        status=status,
        seats_taken=0,
        arrivals=0,
        sequence=0,
        created_by=staff,
        created_at=start - timedelta(days=21),
    )
    event.topic_rows = [EventTopic(topic=t) for t in topics.split(",")]
    fitting = [lawyer for lawyer in lawyers if set(topics.split(",")) & set(lawyer.lawyer_profile.specialty_list)]
    event.speakers = fitting[:1] or lawyers[:1]
    if rng.random() < 0.04 and start > now:
        event.status = EventStatus.CANCELLED
        event.cancel_reason = "因场地检修，本场活动取消，改期另行通知。"
        event.cancelled_at = now
    return event


def _registrations(event: Event, rng: random.Random, verified: list[Enterprise], now) -> int:
    """Registrations for ``event``: fuller for popular topics; past ones checked in (with a few no-shows)."""
    if event.status == EventStatus.DRAFT:
        return 0
    past = event.end_at <= now
    wanted = rng.randint(8, 22) if event.capacity is None else int(event.capacity * rng.uniform(0.5, 1.15))
    if event.category == "checkup_day":
        wanted = event.capacity + rng.randint(1, 4)  # always oversubscribed: a waitlist
    chosen = rng.sample(verified, min(wanted, len(verified)))
    count = 0
    for index, enterprise in enumerate(chosen):
        attendees = rng.randint(1, event.seats_per_enterprise)
        event.arrivals += 1
        fits = event.capacity is None or event.seats_taken + attendees <= event.capacity
        status = RegStatus.REGISTERED if fits else RegStatus.WAITLISTED
        held = attendees if fits else 0
        registration = Registration(
            event_id=event.id,
            enterprise_id=enterprise.id,
            status=status,
            attendees=attendees,
            names="\n".join(_names(rng, attendees)),
            seats_held=held,
            position=event.arrivals,
            created_at=event.created_at + timedelta(hours=index * 3),
        )
        event.seats_taken += held
        if past and status == RegStatus.REGISTERED and rng.random() < 0.88:
            registration.status = RegStatus.ATTENDED
            registration.attended_count = max(1, attendees - (1 if rng.random() < 0.15 else 0))
            registration.checked_in_at = event.start_at - timedelta(minutes=rng.randint(0, 25))
            if rng.random() < 0.6:
                registration.rating = rng.choice([3, 4, 4, 5, 5, 5])
                registration.rated_at = event.end_at + timedelta(hours=rng.randint(1, 48))
        elif not past and status == RegStatus.REGISTERED and rng.random() < 0.06:
            registration.status, registration.seats_held = RegStatus.CANCELLED, 0
            registration.cancelled_at = now
            event.seats_taken -= held
        db.session.add(registration)
        count += 1
    if past and event.category == "campaign":  # walk-ins at the square
        taken = {r.id for r in chosen}
        for enterprise in rng.sample([e for e in verified if e.id not in taken], 4):
            event.arrivals += 1
            db.session.add(
                Registration(
                    event_id=event.id,
                    enterprise_id=enterprise.id,
                    status=RegStatus.ATTENDED,
                    attendees=2,
                    names="",
                    seats_held=0,
                    position=event.arrivals,
                    walk_in=True,
                    attended_count=2,
                    checked_in_at=event.start_at + timedelta(minutes=30),
                )
            )
            count += 1
    db.session.flush()
    return count


def _names(rng: random.Random, n: int) -> list[str]:
    """``n`` plausible attendee names."""
    from ..demo import person

    return [person(rng) for _ in range(n)]
