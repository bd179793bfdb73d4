"""Demo needs: what park enterprises told the station they need — on their profile, at registration, after a
service, and what staff heard on the phone or on a visit."""

from __future__ import annotations

import random
from datetime import timedelta

from ..extensions import db
from ..models import Enterprise, Need, User
from ..timeutil import utcnow

#: (topic, note) pairs in the words enterprises use.
NEEDS = [
    ("labor", "劳动合同到期续签与经济补偿怎么算"),
    ("labor", "灵活用工、劳务派遣的合规边界"),
    ("company_law", "新《公司法》注册资本认缴期限调整"),
    ("company_law", "股权激励方案与股东协议"),
    ("contracts", "采购合同模板审查"),
    ("contracts", "应收账款催收与合同违约"),
    ("ip", "商标注册与被抢注的应对"),
    ("ip", "软件著作权登记"),
    ("tax", "研发费用加计扣除政策"),
    ("safety", "安全生产责任制与应急预案"),
    ("data_privacy", "个人信息保护合规、员工数据处理"),
    ("disputes", "与供应商的货款纠纷"),
    ("other", ""),
]


def seed_needs(rng: random.Random, enterprises: list[Enterprise], staff: list[User]) -> str:
    """Needs for about two thirds of the active enterprises, over the last year; a quarter already addressed."""
    now = utcnow()
    count = 0
    for enterprise in enterprises:
        if enterprise.status == "archived" or rng.random() < 0.35:
            continue
        for topic, note in rng.sample(NEEDS, rng.randint(1, 3)):
            source = rng.choice(["profile", "profile", "registration", "after_service", "phone", "visit"])
            created = now - timedelta(days=rng.randint(3, 330), hours=rng.randint(0, 9))
            addressed = rng.random() < 0.25
            db.session.add(
                Need(
                    enterprise_id=enterprise.id,
                    topic=topic,
                    note=note,
                    source=source,
                    recorded_by_id=rng.choice(staff).id if source in ("phone", "visit") else None,
                    created_at=created,
                    status="addressed" if addressed else "open",
                    addressed_at=created + timedelta(days=rng.randint(1, 20)) if addressed else None,
                )
            )
            count += 1
    db.session.flush()
    return f"{count} stated needs"
