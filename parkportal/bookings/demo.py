"""Demo bookings: a realistic history for the demo park — past completed and rated consultations, some
cancelled, declined and no-shows, and upcoming confirmed and requested ones. Deterministic via ``rng``."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..availability import slots as slot_rules
from ..extensions import db
from ..models import Enterprise, Feedback, ServiceType, User
from ..timeutil import local_today, utcnow
from . import service as booking_service

#: (service, topic, what the enterprise wrote, the lawyer's summary once completed)
CASES = [
    (
        "consultation",
        "company_law",
        "新《公司法》下注册资本实缴：认缴 1000 万元，五年内实缴的安排和股东责任。",
        "按新《公司法》，认缴出资须在公司成立之日起五年内缴足；建议召开股东会调整出资期限并修改章程，"
        "同时评估减资的可行性。",
    ),
    (
        "consultation",
        "contracts",
        "客户拖欠货款 3 个月，合同约定了违约金，想了解如何催收和保留证据。",
        "已梳理事实与证据，建议先发律师函催告，保留对账单、送货单与聊天记录；"
        "如 15 日内未付款，可向钟楼区人民法院起诉。",
    ),
    (
        "labor",
        "labor",
        "劳动合同续签与竞业限制：两名核心研发人员合同到期，想续签并约定竞业限制补偿。",
        "建议续签时书面约定竞业限制范围、期限（不超过两年）及每月补偿标准，并同步更新保密协议。",
    ),
    (
        "labor",
        "labor",
        "试用期员工不符合录用条件，如何合法解除劳动合同并避免争议？",
        "须以入职时书面告知的录用条件为依据，在试用期内出具解除通知并说明理由；建议补充考核记录后再解除。",
    ),
    (
        "labor",
        "labor",
        "工伤认定流程与公司应承担的费用，员工在车间操作时手部受伤。",
        "应在事故发生之日起 30 日内向人社部门申请工伤认定；已说明停工留薪期待遇和工伤保险基金支付范围。",
    ),
    (
        "contract_review",
        "contracts",
        "股权转让协议审查：创始股东拟转让 15% 股权给投资方，请律师审查协议条款。",
        "协议主要风险在于陈述与保证条款和违约责任，已标注修改意见 12 处，请与对方协商后再签署。",
    ),
    (
        "contract_review",
        "contracts",
        "与上游供应商的年度采购框架合同，想确认质量责任和付款条款。",
        "建议明确质量标准、验收期限和质保金比例，付款条款增加以合格验收为前提；已出具修订稿。",
    ),
    (
        "contract_review",
        "ip",
        "软件开发外包合同中的知识产权归属和源代码交付条款审查。",
        "建议约定著作权归贵司所有、分阶段交付源代码和文档，并增加第三方开源组件的合规保证条款。",
    ),
    (
        "checkup",
        "company_law",
        "企业法律体检：公司成立三年，希望全面梳理章程、合同管理和用工风险。",
        "体检发现章程未按新《公司法》修订、合同审批无书面流程，已出具整改清单，建议一个月内完成。",
    ),
    (
        "checkup",
        "labor",
        "法律体检：员工规模扩大到 80 人，规章制度和社保缴纳是否合规。",
        "体检发现劳动合同未全部签订、规章制度未经民主程序，已出具整改清单，建议一个月内完成。",
    ),
    (
        "dispute",
        "disputes",
        "与物流公司运输货损纠纷，对方拒绝赔偿，考虑仲裁还是诉讼。",
        "合同约定了仲裁条款，建议先行协商并保留证据，协商不成可向常州仲裁委员会申请仲裁。",
    ),
    (
        "dispute",
        "disputes",
        "租赁厂房提前解约，房东扣留押金 20 万元，希望评估胜诉可能。",
        "根据租赁合同解约条款，押金扣留缺乏依据的可能性较大；建议发函主张返还，并准备起诉材料。",
    ),
    (
        "consultation",
        "data_privacy",
        "电商平台收集用户个人信息，隐私政策和《个人信息保护法》合规要求。",
        "建议按最小必要原则梳理收集字段，更新隐私政策并取得单独同意，敏感个人信息须进行影响评估。",
    ),
    (
        "consultation",
        "ip",
        "注册商标被他人在电商平台仿冒，如何投诉和维权？",
        "可凭商标注册证向平台发起知识产权投诉，同时公证购买留存证据；情节严重的可向市场监管部门举报。",
    ),
    (
        "consultation",
        "tax",
        "研发费用加计扣除和高新技术企业认定中的合同与票据问题。",
        "研发费用须单独归集并保留立项、合同和票据；委托研发合同应在科技部门登记，以便享受加计扣除。",
    ),
    (
        "consultation",
        "safety",
        "安全生产月自查：新《安全生产法》下企业主要负责人的法定职责。",
        "已说明主要负责人的七项法定职责，建议建立全员安全生产责任制并每季度开展隐患排查。",
    ),
    (
        "legal_aid",
        "labor",
        "小微企业员工被拖欠工资，想了解法律援助申请条件。",
        "追索劳动报酬属于法律援助事项，已告知向钟楼区法律援助中心申请所需材料。",
    ),
    (
        "legal_aid",
        "other",
        "个体经营者被起诉，无力聘请律师，咨询法律援助。",
        "已说明经济困难证明的办理方式和应诉期限，建议尽快向法律援助中心提交申请。",
    ),
]

COMMENTS = [
    "律师非常专业，讲解清楚，解决了我们的实际问题。",
    "回复及时，建议很实用，下次还会预约。",
    "服务很好，就是希望能多一些线上时段。",
    "整改清单很详细，对我们帮助很大。",
    "",
]
DECLINE_REASONS = [
    "该事项涉及利益冲突，已建议您预约其他律师。",
    "所需材料不足，请补充合同原件后重新预约。",
]


def _slot(rng, service: ServiceType, lawyer: User, day):
    starts = slot_rules.window_starts(service, lawyer.id, day)
    return rng.choice(starts) if starts else None


def _make(rng, enterprise: Enterprise, lawyers: list[User], services: dict, day, status: str, case=None):
    code, topic, description, summary = case or rng.choice(CASES)
    svc = services[code]
    if status == "declined" and not svc.requires_confirmation:
        status = "cancelled"
    if status == "requested" and not svc.requires_confirmation:
        status = "confirmed"
    lawyer = rng.choice(lawyers)
    start = _slot(rng, svc, lawyer, day)
    if start is None:
        return None
    creator = enterprise.users[0] if enterprise.users else None
    created = start - timedelta(days=rng.randint(2, 10), hours=rng.randint(1, 8))
    extra = {"created_by": creator, "created_at": created}
    if status in ("confirmed", "completed", "no_show"):
        extra["confirmed_at"] = created + timedelta(hours=rng.randint(0, 20))
    if status == "completed":
        extra["summary"] = summary
        extra["private_notes"] = "已归档至律所案卷；跟进：两周后电话回访。"
        extra["completed_at"] = start + timedelta(minutes=svc.duration_minutes + 10)
    if status in ("cancelled", "declined"):
        extra["cancelled_at"] = created + timedelta(days=1)
    if status == "declined":
        extra["decline_reason"] = rng.choice(DECLINE_REASONS)
    return booking_service.record_past(
        enterprise=enterprise,
        service=svc,
        lawyer=lawyer,
        start=start,
        mode=rng.choice(svc.mode_list),
        topic=topic,
        description=description,
        status=status,
        **extra,
    )


def _rate(rng, appointment, force: bool = False) -> bool:
    if appointment is None or appointment.status != "completed" or appointment.enterprise.users == []:
        return False
    if not force and rng.random() > 0.7:
        return False
    db.session.add(
        Feedback(
            appointment_id=appointment.id,
            user_id=appointment.enterprise.users[0].id,
            rating=rng.choice([5, 5, 5, 4, 4, 3]),
            comment=rng.choice(COMMENTS) or None,
            created_at=appointment.completed_at + timedelta(hours=rng.randint(1, 48)),
        )
    )
    return True


def seed_bookings(rng, enterprises, lawyers) -> str:
    """Add a realistic booking history around today; returns a summary."""
    services = {s.code: s for s in db.session.scalars(select(ServiceType))}
    verified = [e for e in enterprises if e.is_verified]
    if not verified or not lawyers or not services:
        return "no bookings"
    today = local_today(utcnow())
    made: list = []
    rated = 0

    # The demo login's enterprise gets a story of its own.
    demo = verified[0]
    story = [
        (-40, "completed", CASES[0], True),
        (-12, "completed", CASES[2], False),
        (-5, "cancelled", CASES[1], False),
        (3, "confirmed", CASES[5], False),
        (6, "requested", CASES[8], False),
    ]
    for offset, status, case, rate_it in story:
        for shift in range(7):  # find a working day near the wanted one
            appointment = _make(rng, demo, lawyers, services, today + timedelta(days=offset + shift), status, case)
            if appointment is not None:
                made.append(appointment)
                db.session.flush()
                rated += _rate(rng, appointment, force=True) if rate_it else 0
                break

    weights = ["completed"] * 14 + ["cancelled"] * 2 + ["declined"] * 2 + ["no_show"]
    for _ in range(90):
        enterprise = rng.choice(verified)
        day = today - timedelta(days=rng.randint(1, 120))
        appointment = _make(rng, enterprise, lawyers, services, day, rng.choice(weights))
        if appointment is not None:
            made.append(appointment)
            db.session.flush()
            rated += _rate(rng, appointment)
    for _ in range(25):
        enterprise = rng.choice(verified)
        day = today + timedelta(days=rng.randint(1, 21))
        status = rng.choice(["confirmed", "confirmed", "requested"])
        appointment = _make(rng, enterprise, lawyers, services, day, status)
        if appointment is not None:
            made.append(appointment)
    db.session.flush()
    counts: dict[str, int] = {}
    for appointment in made:
        counts[appointment.status] = counts.get(appointment.status, 0) + 1
    detail = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    return f"{len(made)} bookings ({detail}), {rated} rated"
