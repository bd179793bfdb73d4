"""Demo library: the park's legal practice compilations as generated PDFs with Chinese text (WeasyPrint), an
earlier edition superseded by the current one, a draft, and a year of downloads and printed copies handed out
at events and at the service station. Deterministic via ``rng`` (the PDFs' bytes aside)."""

from __future__ import annotations

import io
import random
from datetime import timedelta
from html import escape

from ..core.errors import Conflict
from ..extensions import db
from ..models import Compilation, Download, Enterprise, User
from ..timeutil import local_today, utcnow
from . import service

#: (title, edition, year, topics, summary, chapters, published)
COMPILATIONS = [
    (
        "企业法律实务汇编",
        "2023年版",
        2023,
        ("company_law", "contracts", "labor"),
        "园区法治服务站与江苏常新律师事务所编写的第一版实务汇编：公司治理、合同管理、劳动用工三大板块的常见问题与范本。",
        ["公司设立与股东出资", "合同订立与履行风险", "劳动合同签订与解除", "常见纠纷的解决途径"],
        True,
    ),
    (
        "企业法律实务汇编",
        "2024年版",
        2024,
        ("company_law", "contracts", "labor", "safety"),
        "结合新《公司法》施行全面修订：注册资本五年实缴、董监高责任、劳动用工合规、安全生产主体责任，附合同范本与自查清单。",
        [
            "新《公司法》对中小企业的主要影响",
            "注册资本实缴与股东责任",
            "合同管理全流程要点",
            "劳动用工合规自查",
            "安全生产主体责任",
        ],
        True,
    ),
    (
        "新《公司法》实务问答",
        "2024年版",
        2024,
        ("company_law",),
        "围绕 2024 年 7 月 1 日施行的新《公司法》，以问答形式解读认缴出资期限、股权转让、"
        "公司治理结构调整等 60 个实务问题。",
        ["认缴出资五年内缴足", "股权转让的新规则", "董事、监事、高级管理人员的义务", "公司治理结构的简化"],
        True,
    ),
    (
        "劳动用工合规指引",
        "2024年版",
        2024,
        ("labor",),
        "从招聘、入职、试用期到离职的全流程用工合规指引，含竞业限制、工伤认定、灵活用工等园区企业高频问题。",
        ["招聘与入职", "试用期管理", "竞业限制与保密", "工伤认定流程", "解除与终止劳动合同"],
        True,
    ),
    (
        "安全生产月法律知识手册",
        "2024年版",
        2024,
        ("safety",),
        "“安全生产月”宣传资料：《安全生产法》主要条款、企业主要负责人职责、隐患排查治理与事故报告要求。",
        ["企业主要负责人的七项职责", "全员安全生产责任制", "隐患排查治理", "生产安全事故报告"],
        True,
    ),
    (
        "数据合规与个人信息保护要点",
        "2025年版（征求意见稿）",
        2025,
        ("data_privacy", "ip"),
        "《个人信息保护法》《数据安全法》下软件与电商企业的合规要点，征求意见中，暂未公开发布。",
        ["个人信息处理的合法性基础", "数据出境的合规路径", "商业秘密与数据保护"],
        False,
    ),
]

EVENTS = ["新《公司法》专题讲座", "安全生产月法治宣传活动", "劳动用工法律风险防范培训", "法治园区企业沙龙"]


def _pdf(title: str, edition: str, summary: str, chapters: list[str], park: str, firm: str) -> bytes:
    """A two-page A5 booklet: a cover and a table of contents with a short introduction."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its progress steps are no news for seed-demo
    items = "".join(f"<li>{escape(chapter)}</li>" for chapter in chapters)
    document = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
      @page {{ size: A5; margin: 18mm 16mm; }}
      body {{ font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; color: #1f2d3d; }}
      .cover {{ height: 150mm; display: flex; flex-direction: column; justify-content: space-between;
               border-top: 10mm solid #b4282d; padding-top: 12mm; page-break-after: always; }}
      .cover h1 {{ font-size: 24pt; line-height: 1.3; margin: 0; }}
      .cover .edition {{ font-size: 14pt; color: #b4282d; margin-top: 4mm; }}
      .cover .by {{ font-size: 10pt; color: #555; }}
      h2 {{ font-size: 14pt; border-bottom: 1px solid #ccc; padding-bottom: 2mm; }}
      p, li {{ font-size: 10.5pt; line-height: 1.8; }}
    </style></head><body>
      <section class="cover">
        <div><h1>{escape(title)}</h1><div class="edition">{escape(edition)}</div></div>
        <div class="by">{escape(park)} 法治服务站<br>{escape(firm)} 编<br>“法治园区”企业法律服务系列资料</div>
      </section>
      <h2>前言</h2><p>{escape(summary)}</p>
      <h2>目录</h2><ol>{items}</ol>
      <p>本资料仅供园区企业学习参考，具体问题请预约园区法治服务站律师咨询。</p>
    </body></html>"""
    return HTML(string=document).write_pdf()


def seed_library(rng: random.Random, enterprises: list[Enterprise], staff: list[User], park: str, firm: str) -> str:
    """Publish the demo compilations and their history; flushes. Returns a summary (or why it was skipped)."""
    try:
        import weasyprint  # noqa: F401 - only to know whether PDFs can be made here
    except (ImportError, OSError):  # OSError: the pango libraries are missing
        return "no compilations (WeasyPrint or its pango libraries are missing)"
    editor = staff[0]
    made: list[Compilation] = []
    previous: dict[str, Compilation] = {}
    for title, edition, year, topics, summary, chapters, published in COMPILATIONS:
        data = _pdf(title, edition, summary, chapters, park, firm)
        try:
            row = service.upload(
                actor=editor,
                title=title,
                edition=edition,
                year=year,
                summary=summary,
                topics=list(topics),
                published=published,
                filename=f"{title}（{edition}）.pdf",
                stream=io.BytesIO(data),
                previous=previous.get(title),
            )
        except Conflict:  # seeded before (seed-demo --force): keep what is there
            continue
        previous[title] = row
        made.append(row)
    live = [row for row in made if row.published and not row.superseded]
    users = [user for enterprise in enterprises for user in enterprise.users if enterprise.is_verified]
    now, today = utcnow(), local_today()
    downloads = printed = 0
    for user in users:
        for row in rng.sample(live, k=rng.randint(0, min(3, len(live)))):
            for _ in range(rng.choice((1, 1, 1, 2))):
                when = now - timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 600))
                db.session.add(
                    Download(compilation_id=row.id, user_id=user.id, enterprise_id=user.enterprise_id, created_at=when)
                )
                downloads += 1
    verified = [enterprise for enterprise in enterprises if enterprise.is_verified]
    for enterprise in rng.sample(verified, k=min(45, len(verified))):
        row = rng.choice(live)
        at_event = rng.random() < 0.7
        record = service.record_printed(
            row,
            enterprise=enterprise,
            copies=rng.choice((2, 3, 5, 5, 8, 10, 12, 15, 20)),
            handed_on=today - timedelta(days=rng.randint(7, 330)),
            place="event" if at_event else "station",
            place_note=rng.choice(EVENTS) if at_event else None,
            actor=rng.choice(staff),
        )
        printed += record.copies
    service.recount()  # the downloads above were added as rows: keep the figures in step
    return f"{len(made)} compilations with {downloads} downloads and {printed} printed copies"
