"""Demo checkups: issued risk reports (red, yellow and green findings, some corrected and confirmed, one revised)
for the demo park's completed checkups, and a half-filled questionnaire for the demo login's next checkup.
Deterministic via ``rng``; written as history (no notifications)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..availability import slots as slot_rules
from ..bookings import service as booking_service
from ..extensions import db
from ..models import Appointment, Checkup, Enterprise, Finding, ReportRevision, ServiceType, User
from ..timeutil import local_today, to_local, utcnow
from . import questionnaire as qn
from .service import _snapshot, ordered, recount, stored_questionnaire

#: area → (level, finding, legal basis, recommendation, days to correct)
FINDINGS = {
    "labor": [
        (
            "high",
            "12 名生产线员工入职超过一个月仍未签订书面劳动合同。",
            "《劳动合同法》第十条、第八十二条",
            "立即补签书面劳动合同，核算可能产生的二倍工资差额，并建立入职当周签约的流程。",
            15,
        ),
        (
            "medium",
            "员工手册未经职工代表大会讨论，也无员工签收记录。",
            "《劳动合同法》第四条",
            "组织职工代表讨论后重新公示，留存签收记录，再作为奖惩依据。",
            45,
        ),
        (
            "low",
            "加班审批单与考勤记录未定期核对。",
            "《劳动法》第四十四条",
            "每月由人事核对加班审批与考勤，按月发放加班费。",
            60,
        ),
    ],
    "company_law": [
        (
            "high",
            "章程约定的出资期限为 2045 年，超过新《公司法》规定的五年期限。",
            "《公司法》第四十七条、第二百六十六条",
            "召开股东会调整出资期限并修改章程，2027 年 6 月 30 日前办理变更登记。",
            90,
        ),
        (
            "medium",
            "法定代表人为不参与经营的挂名股东。",
            "《公司法》第十条",
            "由执行公司事务的董事或经理担任法定代表人，并办理变更登记。",
            60,
        ),
        ("low", "股东会决议未由全体出席股东签字。", "《公司法》第六十四条", "补充签字并统一归档会议记录。", 30),
    ],
    "contracts": [
        (
            "high",
            "公章由销售部门自行保管，用印无登记，曾在空白合同上盖章。",
            "《民法典》第四百九十条、第五百零四条",
            "公章交由行政专人保管，建立用印审批与登记台账，收回并作废空白盖章文件。",
            7,
        ),
        (
            "medium",
            "主要销售合同未约定争议解决方式和违约金计算标准。",
            "《民法典》第五百八十五条",
            "采用律师审核的合同范本，补充违约责任和管辖条款。",
            30,
        ),
        ("low", "合同原件分散在各部门，未统一归档。", "", "指定专人统一归档并建立电子台账。", 60),
    ],
    "data_privacy": [
        (
            "high",
            "小程序收集手机号和位置信息，但未展示隐私政策、未取得同意。",
            "《个人信息保护法》第十三条、第十七条",
            "上线隐私政策弹窗并取得同意，删除超出必要范围收集的位置信息。",
            15,
        ),
        (
            "medium",
            "客户数据保存在员工个人网盘，无访问权限控制。",
            "《数据安全法》第二十七条",
            "迁移至公司统一存储，按岗位设置访问权限并定期备份。",
            30,
        ),
        (
            "low",
            "员工个人信息处理规则未告知员工。",
            "《个人信息保护法》第十七条",
            "在员工手册中补充个人信息处理告知。",
            60,
        ),
    ],
    "tax": [
        (
            "high",
            "存在通过股东个人账户收取货款的情况。",
            "《税收征收管理法》第六十三条；《公司法》第二十三条",
            "停止使用个人账户收款，补记收入并评估补税，必要时主动向税务机关说明。",
            30,
        ),
        (
            "low",
            "未申请研发费用加计扣除。",
            "财政部 税务总局公告 2023 年第 7 号",
            "单独归集研发费用，在汇算清缴时申报加计扣除。",
            120,
        ),
    ],
    "safety": [
        (
            "medium",
            "叉车司机两人中一人无特种作业操作证。",
            "《特种设备安全法》第十四条",
            "安排取证前停止其操作叉车，完成培训考核后上岗。",
            30,
        ),
        ("low", "近一年未组织消防疏散演练。", "《安全生产法》第八十一条", "本季度组织一次演练并留存记录。", 60),
    ],
    "ip": [
        (
            "medium",
            "委托开发的 MES 系统合同未约定著作权归属。",
            "《著作权法》第十九条",
            "与开发方签订补充协议，约定著作权归公司所有。",
            45,
        ),
        (
            "low",
            "主要品牌仅注册了第 7 类商标，未覆盖第 9 类。",
            "《商标法》第二十二条",
            "补充申请相关类别的商标注册。",
            90,
        ),
    ],
    "disputes": [
        (
            "medium",
            "两笔逾期超过两年的应收账款尚未采取法律措施。",
            "《民法典》第一百八十八条",
            "发送律师函中断诉讼时效，必要时起诉。",
            20,
        ),
    ],
}
#: The findings of each level, with their area, in a fixed order (each report takes one of every level).
POOL = {
    level: [(area, entry) for area, entries in FINDINGS.items() for entry in entries if entry[0] == level]
    for level in ("high", "medium", "low")
}
SUMMARIES = [
    "总体来看，贵司法律风险处于中等水平。劳动用工和印章管理为重点整改领域，请按期限整改，律师将在跟进日回访。",
    "贵司治理结构基本健全，但出资期限须按新《公司法》调整；数据合规存在明显短板，建议优先整改红色事项。",
    "合同与财税管理存在较高风险，建议尽快停止个人账户收款并规范用印；安全生产事项按期整改即可。",
]


def _answers(rng, definition: qn.Definition, risky: float) -> dict:
    """Answers to every question; each risky option is chosen with probability ``risky``."""
    answers = {}
    for q in definition.questions:
        risk = q.risk.when if q.risk else frozenset()
        if q.kind == "text":
            answers[q.code] = rng.choice(["", "约 60 人，其中劳务派遣 5 人", "希望重点看股权和劳动用工"])
            continue
        values = ["yes", "no"] if q.kind == "yesno" else [o.code for o in q.options]
        bad = [v for v in values if v in risk]
        good = [v for v in values if v not in risk and v != "none"] or values
        pick = rng.choice(bad) if bad and rng.random() < risky else rng.choice(good)
        answers[q.code] = [pick] if q.kind == "multiple" else pick
    return answers


def _checkup_day(rng, service: ServiceType, lawyer: User, back: int):
    """A past start on one of the lawyer's working days about ``back`` days ago."""
    today = local_today(utcnow())
    for shift in range(10):
        day = today - timedelta(days=back + shift)
        starts = slot_rules.window_starts(service, lawyer.id, day)
        if starts:
            return rng.choice(starts)
    return None


def _ensure_past_checkups(rng, enterprises: list[Enterprise], lawyers: list[User], wanted: int) -> list[Appointment]:
    """The completed checkups of the demo, topped up to ``wanted`` (the demo login's enterprise has one)."""
    service = db.session.scalar(select(ServiceType).where(ServiceType.code == "checkup"))
    done = list(
        db.session.scalars(
            select(Appointment)
            .where(Appointment.service_type_id == service.id, Appointment.status == "completed")
            .order_by(Appointment.start_at)
        )
    )
    verified = [e for e in enterprises if e.is_verified]
    owners = {a.enterprise_id for a in done}
    needed = [verified[0]] if verified[0].id not in owners else []
    needed += [e for e in verified[1:] if e.id not in owners][: max(0, wanted - len(done) - len(needed))]
    for index, enterprise in enumerate(needed):
        lawyer = lawyers[index % len(lawyers)]
        start = _checkup_day(rng, service, lawyer, 20 + 9 * index)
        if start is None:
            continue
        appointment = booking_service.record_past(
            enterprise=enterprise,
            service=service,
            lawyer=lawyer,
            start=start,
            mode="onsite",
            topic="company_law",
            description="企业法律体检：全面梳理公司治理、合同、用工和数据合规风险。",
            status="completed",
            created_by=enterprise.users[0] if enterprise.users else None,
            created_at=start - timedelta(days=7),
            confirmed_at=start - timedelta(days=6),
            completed_at=start + timedelta(minutes=100),
            summary="已完成现场体检，书面《法律风险评估报告》随后出具。",
        )
        if appointment is not None:
            done.append(appointment)
    db.session.flush()
    return done


def seed_checkups(rng, enterprises: list[Enterprise], lawyers: list[User]) -> str:
    """Issued reports for the demo's completed checkups and a draft questionnaire for an upcoming one."""
    if not lawyers or not enterprises:
        return "no checkups"
    definition = qn.package_definition()
    questionnaire = stored_questionnaire(definition)
    reports = 0
    findings_made = 0
    for index, appointment in enumerate(_ensure_past_checkups(rng, enterprises, lawyers, wanted=6)):
        finished = appointment.start_at - timedelta(days=2)
        checkup = Checkup(
            appointment_id=appointment.id,
            questionnaire_id=questionnaire.id,
            answers=_answers(rng, definition, risky=0.35),
            answers_saved_at=finished,
            answers_finished_at=finished,
            report_status="draft",  # issued below, with its first revision
            created_at=finished - timedelta(days=1),
        )
        db.session.add(checkup)
        db.session.flush()
        issued_at = appointment.start_at + timedelta(days=2)
        day = to_local(issued_at).date()
        rows = []
        for level in ("high", "medium", "low"):
            area, (_level, text, basis, advice, days) = POOL[level][(index * 2) % len(POOL[level])]
            rows.append(
                Finding(
                    checkup_id=checkup.id,
                    area=area,
                    finding=text,
                    basis=basis,
                    level=level,
                    recommendation=advice,
                    deadline=day + timedelta(days=days),
                    status="open",
                    issued_in=1,
                    issued_at=issued_at,
                    created_by_id=appointment.lawyer_id,
                    created_at=issued_at - timedelta(hours=3),
                )
            )
        db.session.add_all(rows)
        db.session.flush()
        follow_up = min(r.deadline for r in rows)
        summary = SUMMARIES[index % len(SUMMARIES)]
        db.session.add(
            ReportRevision(
                checkup_id=checkup.id,
                number=1,
                summary=summary,
                findings=[_snapshot(r) for r in ordered(rows)],
                follow_up_on=follow_up,
                issued_at=issued_at,
                issued_by_id=appointment.lawyer_id,
            )
        )
        checkup.revision, checkup.summary, checkup.issued_at, checkup.follow_up_on = 1, summary, issued_at, follow_up
        checkup.report_status = "issued"
        # Corrections: the green one reported and confirmed on older reports, the yellow one reported on some.
        if index % 2 == 0:
            rows[2].status, rows[2].correction_note = "confirmed", "已按律师建议完成整改，相关记录已归档。"
            rows[2].corrected_at = issued_at + timedelta(days=5)
            rows[2].corrected_by_id = appointment.enterprise.users[0].id if appointment.enterprise.users else None
            rows[2].confirmed_at, rows[2].confirmed_by_id = issued_at + timedelta(days=6), appointment.lawyer_id
        if index % 3 == 1:
            rows[1].status, rows[1].correction_note = "corrected", "已修订制度并组织员工签收，附件已提交服务站。"
            rows[1].corrected_at = issued_at + timedelta(days=8)
        if index == 0:  # the demo login's report was revised once: a finding added after issuing
            level, text, basis, advice, days = FINDINGS["data_privacy"][1]
            extra = Finding(
                checkup_id=checkup.id,
                area="data_privacy",
                finding=text,
                basis=basis,
                level=level,
                recommendation=advice,
                deadline=day + timedelta(days=days + 3),
                status="open",
                issued_in=2,
                issued_at=issued_at + timedelta(days=3),
                created_by_id=appointment.lawyer_id,
                created_at=issued_at + timedelta(days=3),
            )
            db.session.add(extra)
            db.session.flush()
            db.session.add(
                ReportRevision(
                    checkup_id=checkup.id,
                    number=2,
                    summary=summary + "\n补充：复核客户数据存储方式后，增加一项数据安全整改事项。",
                    findings=[_snapshot(r) for r in ordered([*rows, extra])],
                    follow_up_on=follow_up,
                    issued_at=issued_at + timedelta(days=3),
                    issued_by_id=appointment.lawyer_id,
                )
            )
            checkup.revision = 2
            checkup.summary = summary + "\n补充：复核客户数据存储方式后，增加一项数据安全整改事项。"
            checkup.issued_at = issued_at + timedelta(days=3)
            findings_made += 1
        reports += 1
        findings_made += len(rows)
    drafts = _draft_for_next(rng, enterprises, definition, questionnaire.id)
    recount()  # the findings above were added as rows: keep the enterprises affected per area in step
    return f"{reports} checkup reports with {findings_made} findings, {drafts} questionnaire draft"


def _draft_for_next(rng, enterprises: list[Enterprise], definition: qn.Definition, questionnaire_id: int) -> int:
    """The demo login's enterprise has an upcoming checkup with half of the questionnaire saved."""
    service = db.session.scalar(select(ServiceType).where(ServiceType.code == "checkup"))
    demo = next((e for e in enterprises if e.is_verified), None)
    if demo is None:
        return 0
    upcoming = db.session.scalar(
        select(Appointment)
        .where(
            Appointment.service_type_id == service.id,
            Appointment.enterprise_id == demo.id,
            Appointment.status.in_(("requested", "confirmed")),
            Appointment.start_at > utcnow(),
        )
        .order_by(Appointment.start_at)
    )
    if upcoming is None:
        lawyer = db.session.scalar(select(User).where(User.role == "lawyer").order_by(User.id))
        for days in range(8, 20):
            starts = slot_rules.window_starts(service, lawyer.id, local_today(utcnow()) + timedelta(days=days))
            if starts:
                upcoming = booking_service.record_past(
                    enterprise=demo,
                    service=service,
                    lawyer=lawyer,
                    start=starts[0],
                    mode="onsite",
                    topic="labor",
                    description="年度法律体检复查：重点看劳动用工整改情况和数据合规。",
                    status="confirmed",
                    created_by=demo.users[0] if demo.users else None,
                    confirmed_at=utcnow() - timedelta(days=1),
                )
                break
    if upcoming is None:
        return 0
    answers = _answers(rng, definition, risky=0.3)
    half = dict(list(answers.items())[: len(answers) // 2])
    db.session.add(
        Checkup(
            appointment_id=upcoming.id,
            questionnaire_id=questionnaire_id,
            answers=half,
            answers_saved_at=utcnow() - timedelta(hours=5),
            report_status="draft",
        )
    )
    return 1
