"""A realistic demo park: 富都江南新经济产业园 with its enterprises, the partner firm's lawyers and staff.

Deterministic (fixed random seed), so screenshots and demos look the same every time.
"""

from __future__ import annotations

import random
from datetime import time

import click
from flask import current_app
from stdnum.cn import uscc as stdnum_uscc

from . import accounts
from .extensions import db
from .models import Enterprise, User
from .models.user import hash_password

DEMO_PASSWORD = "Demo2024park"

STAFF = [
    ("wangli@fudu-park.gov.cn", "王丽", "园区服务中心主任"),
    ("zhoujie@fudu-park.gov.cn", "周杰", "五星街道司法所"),
]
#: (e-mail, name, title code of LAWYER_TITLES, specialties)
LAWYERS = [
    ("chenming@changxin-law.cn", "陈明", "partner", "company_law,contracts,disputes"),
    ("liuyang@changxin-law.cn", "刘洋", "senior_associate", "labor,safety,other"),
    ("zhaoxin@changxin-law.cn", "赵欣", "associate", "ip,data_privacy,tax,contracts"),
]

# (字号, industry, name pattern)
FIRMS = [
    ("江南智造", "manufacturing", "常州{}精密机械有限公司"),
    ("恒力传动", "manufacturing", "常州{}科技有限公司"),
    ("富都", "manufacturing", "常州{}电子科技有限公司"),
    ("五星", "manufacturing", "常州{}模具有限公司"),
    ("龙城", "manufacturing", "江苏{}智能装备有限公司"),
    ("钟楼精工", "manufacturing", "常州{}机电有限公司"),
    ("迈思特", "manufacturing", "常州{}自动化设备有限公司"),
    ("锐拓机器人", "manufacturing", "常州{}科技有限公司"),
    ("华辰", "new_energy", "常州{}材料科技有限公司"),
    ("天禾", "new_energy", "常州{}新能源有限公司"),
    ("光源光伏", "new_energy", "江苏{}科技有限公司"),
    ("碳索", "new_energy", "常州{}能源科技有限公司"),
    ("云帆软件", "software", "常州{}信息技术有限公司"),
    ("数智云", "software", "常州{}科技有限公司"),
    ("码上", "software", "常州{}网络科技有限公司"),
    ("青禾", "software", "江苏{}数据服务有限公司"),
    ("星图", "software", "常州{}信息科技有限公司"),
    ("易联通", "software", "常州{}通信技术有限公司"),
    ("极光", "software", "常州{}互联网科技有限公司"),
    ("知行", "software", "常州{}软件开发有限公司"),
    ("优品汇", "ecommerce", "常州{}电子商务有限公司"),
    ("江南好物", "ecommerce", "常州{}贸易有限公司"),
    ("龙城跨境", "ecommerce", "常州{}供应链管理有限公司"),
    ("鲜到家", "ecommerce", "常州{}电子商务有限公司"),
    ("乐购", "ecommerce", "常州{}网络科技有限公司"),
    ("康宁", "biotech", "常州{}生物科技有限公司"),
    ("瑞康", "biotech", "常州{}医疗器械有限公司"),
    ("本草堂", "biotech", "常州{}健康科技有限公司"),
    ("诺维", "biotech", "江苏{}医药科技有限公司"),
    ("青橙", "culture", "常州{}文化创意有限公司"),
    ("墨香", "culture", "常州{}设计有限公司"),
    ("紫荆", "culture", "常州{}文化传媒有限公司"),
    ("运河", "culture", "常州{}影视文化有限公司"),
    ("通达", "logistics", "常州{}物流有限公司"),
    ("快运通", "logistics", "常州{}供应链有限公司"),
    ("恒通", "logistics", "常州{}仓储服务有限公司"),
    ("汇信", "finance", "常州{}财务咨询有限公司"),
    ("众联", "finance", "常州{}人力资源有限公司"),
    ("鼎盛", "finance", "常州{}企业管理咨询有限公司"),
    ("金桥", "finance", "常州{}商务服务有限公司"),
    ("安居", "construction", "常州{}装饰工程有限公司"),
    ("筑梦", "construction", "江苏{}建设工程有限公司"),
    ("绿源", "construction", "常州{}环境工程有限公司"),
    ("美味坊", "other", "常州{}餐饮管理有限公司"),
    ("悦动", "other", "常州{}体育文化有限公司"),
    ("童心", "other", "常州{}教育科技有限公司"),
]
EXTRA_WORDS = ["华", "瑞", "博", "鑫", "宏", "泰", "德", "嘉", "晨", "创", "源", "信", "达", "盛", "远", "宇"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "晓东",
    "海燕",
    "志强",
    "丽华",
    "春梅",
    "国庆",
    "佳怡",
]
BUILDINGS = ["A1", "A2", "A3", "B1", "B2", "B5", "C1", "C3", "D2", "创新楼", "孵化器大楼"]


def make_uscc(rng: random.Random, region: str = "320404") -> str:
    """A valid 统一社会信用代码: 91 (enterprise) + region + organisation code + check digit."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org = "MA" + "".join(rng.choice(alphabet) for _ in range(6))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in org]
    check = 11 - sum(v * w for v, w in zip(values, weights, strict=True)) % 11
    org += "X" if check == 10 else "0" if check == 11 else str(check)
    body = "91" + region + org
    return body + stdnum_uscc.calc_check_digit(body)


def person(rng: random.Random) -> str:
    """A plausible Chinese full name."""
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def mobile(rng: random.Random) -> str:
    """A plausible mainland mobile number."""
    return rng.choice(["138", "139", "150", "151", "158", "177", "181", "189"]) + f"{rng.randrange(10**8):08d}"


def seed(rng: random.Random | None = None) -> str:
    """Add the demo park; flushes, the caller commits. Returns a one-line summary."""
    rng = rng or random.Random(2024)
    password = {"password": DEMO_PASSWORD, "password_hash": hash_password(DEMO_PASSWORD)}  # one hash for all
    staff = [
        accounts.create_user(email=email, role="staff", name=name, phone=mobile(rng), **password)
        for email, name, _title in STAFF
    ]
    lawyers = []
    for email, name, title, specialties in LAWYERS:
        lawyer = accounts.create_user(email=email, role="lawyer", name=name, phone=mobile(rng), **password)
        lawyer.lawyer_profile.title = title
        lawyer.lawyer_profile.specialties = specialties
        lawyers.append(lawyer)
    _seed_availability(lawyers)

    enterprises: list[Enterprise] = []
    seen: set[str] = set()
    names = [(brand, industry, pattern) for brand, industry, pattern in FIRMS]
    while len(enterprises) < 84:
        brand, industry, pattern = names[len(enterprises) % len(names)]
        if len(enterprises) >= len(names):
            brand = rng.choice(EXTRA_WORDS) + brand
        name = pattern.format(brand)
        if name in seen:
            continue
        seen.add(name)
        contact = person(rng)
        status = "pending" if len(enterprises) % 9 == 4 else "verified"
        enterprise = Enterprise(
            name=name,
            uscc=make_uscc(rng),
            industry=industry,
            employees=rng.choice(["1-9", "10-49", "10-49", "50-99", "100-299", "300+"]),
            address=f"富都江南新经济产业园 {rng.choice(BUILDINGS)}栋 {rng.randint(1, 12)}0{rng.randint(1, 9)}室",
            contact_name=contact,
            phone=mobile(rng),
            status="pending",
            source="imported" if len(enterprises) % 3 else "self_registered",
        )
        if status == "verified":
            accounts.set_enterprise_status(enterprise, "verified")
        db.session.add(enterprise)
        enterprises.append(enterprise)
    db.session.flush()

    # Enterprise users for the self-registered ones, and a known demo login.
    demo_users = 0
    for index, enterprise in enumerate(enterprises):
        if enterprise.source != "self_registered" and index != 1:
            continue
        email = "demo@jiangnan-zhizao.com" if index == 0 else f"user{index:02d}@fudu-demo.cn"
        accounts.create_user(
            email=email,
            role="enterprise",
            name=enterprise.contact_name or person(rng),
            enterprise=enterprise,
            phone=enterprise.phone,
            **password,
        )
        demo_users += 1
    db.session.flush()

    from .bookings.demo import seed_bookings

    booking_summary = seed_bookings(rng, enterprises, lawyers)
    from .checkups.demo import seed_checkups
    from .events.demo import seed_events
    from .library.demo import seed_library

    checkup_summary = seed_checkups(rng, enterprises, lawyers)
    event_summary = seed_events(rng, enterprises, lawyers, staff[0])
    library_summary = seed_library(
        rng, enterprises, staff, current_app.config["PARK_NAME"], current_app.config["PARTNER_FIRM_NAME"]
    )
    from .coverage.demo import seed_needs

    needs_summary = seed_needs(rng, enterprises, staff)
    return (
        f"Seeded {len(enterprises)} enterprises, {demo_users} enterprise users, {len(lawyers)} lawyers, "
        f"{len(STAFF)} staff; {booking_summary}; {checkup_summary}; {event_summary}; {library_summary}; "
        f"{needs_summary}."
    )


def _seed_availability(lawyers: list[User]) -> None:
    from .availability.service import add_weekly_range

    plans = [
        [(d, time(9), time(12)) for d in range(1, 6)] + [(d, time(14), time(17, 30)) for d in range(1, 6)],
        [(d, time(9), time(17)) for d in (1, 3, 5)],
        [(d, time(13, 30), time(17, 30)) for d in range(1, 6)] + [(6, time(9), time(12))],
    ]
    for lawyer, plan in zip(lawyers, plans, strict=True):
        for weekday, start, end in plan:
            add_weekly_range(lawyer, weekday, start, end)


def print_logins() -> None:
    """Print the demo sign-ins (all share one password)."""
    click.echo("\nDemo sign-ins (password for all: " + DEMO_PASSWORD + "):")
    click.echo("  enterprise  demo@jiangnan-zhizao.com   (常州江南智造精密机械有限公司, verified)")
    click.echo("  enterprise  user01@fudu-demo.cn        (常州恒力传动科技有限公司)")
    for email, name, _t, _s in LAWYERS:
        click.echo(f"  lawyer      {email:<26} ({name})")
    for email, name, _t in STAFF:
        click.echo(f"  staff       {email:<26} ({name})")
