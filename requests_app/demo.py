"""Demo cases for ``manage.py setup_demo``: about 45 requests in every stage and outcome.

Built through the real services, with dates counted back from today, so the demo shows overdue,
at-risk, paused and provisional deadlines whenever it is run.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from requests_app import services as s
from requests_app.flows import sync_process
from requests_app.identity import credit_code_check_char, resident_id_check_char
from requests_app.models import InformationRequest
from requests_app.rules.outcomes import OUTCOMES
from requests_app.rules.periods import REG
from workflow.calendar import get_calendar
from workflow.cn import cn_date

OUTCOME_LABELS = {code: outcome.label for code, outcome in OUTCOMES.items()}


SUBJECTS = [
    "2025年城区老旧小区改造项目的资金拨付明细",
    "本街道2024年度征地补偿安置方案及批复文件",
    "某路段道路拓宽工程的环境影响评价批复",
    "2025年度最低生活保障金发放情况统计",
    "本市2025年政府采购项目中标结果",
    "某小区规划许可证及总平面图",
    "2026年第一季度空气质量监测数据",
    "本市中小学校舍安全检查报告",
    "某企业排污许可证及执法检查记录",
    "2025年财政预算执行情况报告",
]
NAMES = ["张明华", "李秀英", "王建国", "赵丽", "陈志强", "刘芳", "杨洋", "黄磊", "周婷", "吴刚"]
ORGANIZATIONS = [
    ("山西某律师事务所", "legal_service"),
    ("孝义市某建材有限公司", "business"),
    ("某大学公共管理学院", "research"),
    ("某环保公益协会", "nonprofit"),
]

# (label, steps) — each step is a service call on the case, by working days after receipt.
Scenario = tuple[str, list[tuple[int, str]]]
OPEN_SCENARIOS: list[Scenario] = [
    ("待受理", []),
    ("承办中", [(1, "accept")]),
    # Periods from receipt (DOMAIN §3.8): some notices are served (by post or in person), some
    # still wait for their service to be recorded (待送达).
    ("补正中", [(2, "correct")]),
    ("补正后重新计算", [(2, "correct"), (3, "served:correction"), (6, "corrected")]),
    ("征求意见中", [(1, "accept"), (3, "consult"), (4, "posted:third_party")]),
    (
        "征求意见结束",
        [(1, "accept"), (3, "consult"), (3, "served:third_party"), (8, "consult_reply")],
    ),
    ("等待缴费", [(1, "accept"), (4, "fee")]),
    ("已延期", [(1, "accept"), (10, "extend")]),
    ("待审批", [(1, "accept"), (5, "propose:disclosed")]),
    ("待法制审核", [(1, "accept"), (5, "propose:partly_disclosed")]),
]
# Art. 35 and Art. 32: made after all the others, so that those stay exactly as they were.
ART35_ART32_SCENARIOS: list[Scenario] = [
    ("等待申请人说明理由", [(1, "ask_reasons")]),
    (
        "延迟答复",
        [(1, "ask_reasons"), (3, "reasons_answer"), (4, "reasons_deferred"), (5, "defer_approve")],
    ),
    (
        "不顾第三方反对决定公开",
        [
            (1, "accept"),
            (2, "consult"),
            (2, "served:third_party"),
            (4, "consult_reply"),
            (5, "propose_over_objection"),
            (6, "approve"),
        ],
    ),
]
LAPSED_SCENARIOS: list[Scenario] = [
    ("逾期不补正", [(2, "correct"), (2, "served:correction"), (18, "correction_lapsed")]),
    ("逾期未缴费", [(1, "accept"), (2, "fee"), (3, "posted:fee"), (24, "fee_lapsed")]),
]

PROPOSALS: dict[str, dict] = {
    "already_public": {
        "articles": [f"{REG}第三十六条第（一）项"],
        "where_published": (
            "孝义市人民政府门户网站“政府信息公开—财政预决算”栏目（2026年1月15日发布）"
        ),
    },
    "disclosed": {"articles": [f"{REG}第三十六条第（二）项"], "provide_form": "electronic"},
    "partly_disclosed": {
        "articles": [f"{REG}第三十七条", f"{REG}第十五条"],
        "withheld_parts": [
            {
                "description": "明细表中个人的身份证号码和银行账号",
                "reason": "属于个人隐私，公开会对第三方合法权益造成损害",
                "basis": f"{REG}第十五条",
            }
        ],
        "provide_form": "electronic",
        "needs_legal_review": True,
    },
    "withheld_state_secret": {
        "articles": [f"{REG}第十四条", f"{REG}第三十六条第（三）项"],
        "reason": "经保密审查，所申请信息已依法确定为国家秘密。",
    },
    "withheld_prohibited_by_law": {
        "articles": [f"{REG}第十四条", f"{REG}第三十六条第（三）项"],
        "reason": "所申请信息是统计调查中获得的能够识别单个统计调查对象身份的资料。",
        "special_law": "《中华人民共和国统计法》第二十五条",
    },
    "withheld_security_stability": {
        "articles": [f"{REG}第十四条", f"{REG}第三十六条第（三）项"],
        "reason": "所申请的应急处置预案细节公开后可能危及公共安全。",
    },
    "withheld_third_party": {
        "articles": [f"{REG}第十五条", f"{REG}第三十六条第（三）项"],
        "reason": "所申请信息涉及第三方商业秘密，第三方不同意公开。",
        # Art. 32: no consultation in this case, so the handler says why none was needed.
        "no_consultation_reason": "该企业已于本申请前就同一信息书面表示不同意公开，书面意见在案。",
    },
    "withheld_internal_affairs": {
        "articles": [f"{REG}第十六条第一款", f"{REG}第三十六条第（三）项"],
        "reason": "所申请信息为本机关内部人事管理信息。",
    },
    "withheld_process_info": {
        "articles": [f"{REG}第十六条第二款", f"{REG}第三十六条第（三）项"],
        "reason": "所申请的会议纪要属于内部研究讨论形成的过程性信息。",
    },
    "withheld_enforcement_file": {
        "articles": [f"{REG}第十六条第二款", f"{REG}第三十六条第（三）项"],
        "reason": "所申请信息为行政执法案卷信息。",
    },
    "withheld_query_matter": {
        "articles": [f"{REG}第三十六条第（七）项"],
        "reason": "所申请的是不动产登记资料，其查询、复制由不动产登记机构依法办理。",
        "special_law": "《不动产登记暂行条例》第二十七条",
        "competent_agency": "孝义市不动产登记中心",
    },
    "not_held": {
        "articles": [f"{REG}第三十六条第（四）项"],
        "search_description": "经检索本机关公文系统和档案室2019年以来的全部收发文",
    },
    "not_our_agency": {
        "articles": [f"{REG}第三十六条第（五）项"],
        "competent_agency": "孝义市自然资源局",
        "competent_agency_contact": "0358-0000001（演示）",
    },
    "needs_creation": {
        "articles": [f"{REG}第三十八条"],
        "reason": "所申请的统计分析需要对现有信息进行加工、分析。",
    },
    "still_unclear": {
        "articles": [f"{REG}第三十条"],
        "reason": "补正后所需信息的名称和特征仍不明确。",
    },
    "petition": {
        "articles": [f"{REG}第三十九条第一款"],
        "proper_channel": "可通过孝义市信访局（演示地址）反映。",
    },
    "repeat": {
        "articles": [f"{REG}第三十六条第（六）项"],
        "earlier_reply": "本机关已于2026年9月10日作出答复（孝政信申〔2026〕第5号）",
    },
    "publication": {
        "articles": [f"{REG}第三十九条第二款"],
        "proper_channel": "可在孝义市图书馆查阅《孝义市人民政府公报》2026年第3期。",
    },
    "unreasonable_volume": {
        "articles": [f"{REG}第三十五条"],
        "reason": "申请人一个月内提出相同内容的申请40余件，经告知后未说明理由。",
    },
    "confirm_or_reissue": {
        "articles": [f"{REG}第二条", f"{REG}第三十八条"],
        "reason": "申请人要求本机关确认或重新出具已获取的信息，不属于政府信息公开申请。",
    },
    "other": {"articles": [], "reason": "申请人在办理期间书面撤回申请。"},
}
# Decided cases go on to service and archive in turn, so every stage after approval shows too.
AFTER_APPROVAL = ["approve", "serve", "archive"]


def scenarios() -> list[Scenario]:
    decided: list[Scenario] = []
    for index, outcome in enumerate(PROPOSALS):
        if outcome == "other":
            decided.append(("申请人撤回", [(2, "withdraw")]))
            continue
        tail = AFTER_APPROVAL[: 1 + index % 3]
        steps = [(1, "accept"), (4, f"propose:{outcome}")]
        if outcome == "partly_disclosed":
            steps.append((5, "legal_review"))
        steps += [(6 + i, name) for i, name in enumerate(tail)]
        decided.append((OUTCOME_LABELS.get(outcome, outcome), steps))
    return OPEN_SCENARIOS + LAPSED_SCENARIOS + decided


def _id_number(rng: random.Random) -> str:
    birth = f"{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"141181{birth}{rng.randint(100, 999)}"
    return first17 + resident_id_check_char(first17)


def _credit_code(rng: random.Random) -> str:
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    first17 = "91141181" + "".join(rng.choice(chars) for _ in range(9))
    return first17 + credit_code_check_char(first17)


def _registration(rng: random.Random, receipt: date, index: int) -> s.Registration:
    subject = SUBJECTS[index % len(SUBJECTS)]
    channel = rng.choice(["in_person", "online", "registered_post", "online"])
    common = {
        "channel": channel,
        "arrival_date": receipt,
        "receipt_date": receipt,
        "description": subject,
        "form_wanted": rng.choice(["electronic", "paper"]),
        "delivery": rng.choice(["email", "post", "collect"]),
        "phone": f"139{rng.randint(10000000, 99999999)}",
        "address": "山西省孝义市（演示地址）",
        "email": "applicant@example.com",
    }
    if index % 5 == 4:
        name, kind = ORGANIZATIONS[index % len(ORGANIZATIONS)]
        return s.Registration(
            **common,
            applicant_kind="organization",
            organization_kind=kind,
            applicant_name=name,
            credit_code=_credit_code(rng),
            legal_representative="王某",
        )
    return s.Registration(
        **common,
        applicant_kind="person",
        applicant_name=NAMES[index % len(NAMES)],
        id_type="resident_id",
        id_number=_id_number(rng),
    )


#: Every how many demo cases the registrar scanned the paper application at registration.
SCAN_EVERY = 7


def application_scan(data: s.Registration) -> ContentFile:
    """A small PDF standing in for the scanned paper application (demo data only)."""
    from workflow.letters.render import render_structure
    from workflow.letters.structure import Letter, Paragraph, Table, TableRow

    rows = [
        ("申请人", data.applicant_name),
        ("证件号码或统一社会信用代码", data.id_number or data.credit_code),
        ("联系电话", data.phone),
        ("通讯地址", data.address),
        ("所需政府信息的描述", data.description),
        ("申请日期", cn_date(data.receipt_date)),
    ]
    letter = Letter(
        title="政府信息公开申请表",
        blocks=[
            Table(rows=[TableRow(list(row)) for row in rows], widths=[30, 70]),
            Paragraph("申请人签名：" + data.applicant_name, indent=False),
            Paragraph("（演示数据：代替纸质申请表的扫描件）", indent=False),
        ],
    )
    return ContentFile(render_structure(letter, "pdf"), name="申请表扫描件.pdf")


def service_proof_photo(case: InformationRequest, on: date) -> ContentFile:
    """A photograph-like JPEG of a signed proof of service (demo data only)."""
    from PIL import Image, ImageDraw, ImageFont

    from workflow.letters.fonts import letter_faces

    image = Image.new("RGB", (1240, 1754), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    path = str(letter_faces()["body"].path)
    title, body = ImageFont.truetype(path, 64), ImageFont.truetype(path, 40)
    draw.text((620, 160), "送 达 回 证", font=title, fill=(20, 20, 20), anchor="mm")
    lines = [
        f"案号：{case.case_number}",
        f"受送达人：{case.applicant_name}",
        "送达文书：政府信息公开申请答复书",
        f"送达日期：{cn_date(on)}",
        f"受送达人签收：{case.applicant_name}",
        "（演示数据：代替签收后的送达回证照片）",
    ]
    for number, line in enumerate(lines):
        draw.text((140, 320 + number * 110), line, font=body, fill=(30, 30, 30))
    draw.rectangle((100, 260, 1140, 1000), outline=(60, 60, 60), width=4)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return ContentFile(out.getvalue(), name="送达回证.jpg")


def _step(
    name: str, case: InformationRequest, on: date, users: dict, *, direct_service=False
) -> None:
    handler, head, registrar, legal = (
        users["handler"],
        users["office_head"],
        users["registrar"],
        users["legal_reviewer"],
    )
    pk = case.pk
    actions: dict[str, Callable[[], object]] = {
        "accept": lambda: s.request_accept(actor=handler, case_id=pk, today=on),
        "correct": lambda: s.request_ask_correction(
            actor=handler,
            case_id=pk,
            items=["请写明所需信息的具体年份和文件名称", "请补充申请人身份证明复印件"],
            today=on,
        ),
        "corrected": lambda: s.request_record_correction(
            actor=registrar, case_id=pk, received_on=on, today=on
        ),
        "consult": lambda: s.consultation_send(
            actor=handler,
            case_id=pk,
            party="third_party",
            party_name="孝义市某建设工程有限公司",
            matter="工程合同金额及付款记录",
            today=on,
        ),
        "consult_reply": lambda: s.consultation_record_reply(
            actor=handler,
            consultation_id=case.consultations.first().pk,
            reply="object",
            replied_on=on,
            reasons="涉及商业秘密",
            today=on,
        ),
        "fee": lambda: s.fee_notice(
            actor=handler,
            case_id=pk,
            method="per_page",
            quantity=150,
            payment_method="转账至孝义市财政局非税收入账户（演示）",
            today=on,
        ),
        "extend": lambda: (
            s.extension_ask(
                actor=handler, case_id=pk, days=20, reason="需要调取档案并逐页审查", today=on
            ),
            s.extension_approve(actor=head, case_id=pk, today=on),
        ),
        "legal_review": lambda: s.decision_approve(actor=legal, case_id=pk, today=on),
        "correction_lapsed": lambda: s.request_correction_lapsed(case_id=pk, today=on),
        "fee_lapsed": lambda: s.fee_lapsed(case_id=pk, today=on),
        "approve": lambda: (
            _secrecy_review(case, on, users),
            s.decision_approve(actor=head, case_id=pk, today=on),
        ),
        "serve": lambda: s.request_serve(
            actor=registrar,
            case_id=pk,
            method="direct" if direct_service else "electronic",
            served_on=on,
            today=on,
        ),
        "archive": lambda: s.request_archive(actor=registrar, case_id=pk, today=on),
        "withdraw": lambda: s.request_withdraw(
            actor=registrar, case_id=pk, on=on, reason="申请人提交书面撤回申请", today=on
        ),
        "ask_reasons": lambda: s.request_ask_reasons(
            actor=handler,
            case_id=pk,
            grounds="申请人近一个月内向本机关提交申请40余件，其中30余件内容相同",
            items=["短期内反复提交相同申请的原因", "能否合并申请或者缩小申请范围"],
            how_to_answer="书面说明（可当面提交、邮寄或通过电子邮件提交）",
            today=on,
        ),
        "reasons_answer": lambda: s.reasons_record_answer(
            actor=registrar,
            case_id=pk,
            answered_on=on,
            answer="此前各件分别申请不同年度的资金拨付情况，内容相近但并不重复；现同意合并为一件。",
            today=on,
        ),
        "reasons_deferred": lambda: s.reasons_decide(
            actor=handler,
            case_id=pk,
            finding="deferred",
            note="所涉2019年至2025年的拨付凭证约3000页，需从档案室逐卷调取并逐页审查",
            later_date=get_calendar(case.agency_id).add_working_days(case.receipt_date, 40),
            today=on,
        ),
        "defer_approve": lambda: s.deferral_approve(actor=head, case_id=pk, today=on),
        "propose_over_objection": lambda: s.decision_propose(
            actor=handler,
            case_id=pk,
            proposal=s.Proposal(
                outcome="disclosed",
                articles=[f"{REG}第三十六条第（二）项", f"{REG}第三十二条"],
                provided=["工程合同金额及付款记录"],
                provide_form="electronic",
                public_interest_reasons=(
                    "所涉工程使用财政资金，关系众多居民的切身利益，不公开将对公共利益造成重大影响。"
                ),
            ),
            today=on,
        ),
    }
    if name.startswith(("served:", "posted:")):
        how, notice = name.split(":", 1)
        service = case.notice_services.filter(notice=notice, served_on__isnull=True).first()
        s.notice_record_service(
            actor=registrar,
            service_id=service.pk,
            method="post" if how == "posted" else "direct",
            served_on=on,
            tracking_number=f"XA{case.pk:07d}{on:%m%d}CN" if how == "posted" else "",
            today=on,
        )
    elif name.startswith("propose:"):
        outcome = name.split(":", 1)[1]
        s.decision_propose(
            actor=handler,
            case_id=pk,
            proposal=s.Proposal(outcome=outcome, **PROPOSALS[outcome]),
            today=on,
        )
    else:
        actions[name]()
    case.refresh_from_db()


def _secrecy_review(case: InformationRequest, on: date, users: dict) -> None:
    """Art. 17 ¶2: what a reply discloses passes a secrecy review before approval, by the
    agency's secrecy reviewer (the office head where the agency has none)."""
    decision = case.decision
    if decision.outcome not in s.DISCLOSING_OUTCOMES or s.secrecy_review_of(decision):
        return
    s.decision_record_secrecy_review(
        actor=users.get("secrecy_reviewer") or users["office_head"],
        case_id=case.pk,
        passed=True,
        opinion="经审查，拟公开的信息不涉及国家秘密，同意公开。",
        today=on,
    )


def create_demo_requests(agency, users: dict, *, count: int = 42, write=print) -> int:
    """Create ``count`` demo cases for ``agency``, then one waiting for the applicant's reasons,
    one deferred and one disclosed over a third party's objection (nothing if it has cases)."""
    if InformationRequest.objects.filter(agency=agency).exists():
        write(
            f"演示申请已存在（{InformationRequest.objects.filter(agency=agency).count()}件），跳过。"
        )
        return 0
    rng = random.Random(20261122)
    today = timezone.localdate()
    calendar = get_calendar(agency.pk)
    created = 0
    plan = scenarios()
    proof_given = False
    chosen = [plan[index % len(plan)] for index in range(count)] + ART35_ART32_SCENARIOS
    for index, (label, steps) in enumerate(chosen):
        # Spread receipts over the last 30 working days: early ones run late, some are at risk.
        age = [28, 24, 19, 16, 12, 9, 6, 3, 1][index % 9]
        if steps and steps[-1][0] >= age:
            age = steps[-1][0] + rng.randint(0, 3)
        receipt = calendar.add_working_days(today, -age)
        registration = _registration(rng, receipt, index)
        scanned = index % SCAN_EVERY == 0
        case = s.request_register(
            actor=users["registrar"],
            agency=agency,
            data=registration,
            today=receipt,
            attachments={"application": [application_scan(registration)]} if scanned else None,
        )
        names = [name for _, name in steps]
        # One case served in person and left before the archive shows the photo of its signed
        # proof of service.
        with_proof = not proof_given and names[-1:] == ["serve"]
        for offset, name in steps:
            on = min(calendar.add_working_days(receipt, offset), today)
            _step(name, case, on, users, direct_service=with_proof)
        if with_proof:
            s.request_upload(
                actor=users["registrar"],
                case_id=case.pk,
                kind="service_proof",
                files=[service_proof_photo(case, case.served_on)],
            )
            proof_given = True
        # The steps ran through the services directly: put the process on the matching task.
        sync_process(case)
        created += 1
        write(f"[{created}/{len(chosen)}] {case.case_number} {label}")
    # Store every clock as of today (the steps above ran on their own dates).
    from requests_app.clock_sync import sync_clock

    for case in InformationRequest.objects.filter(agency=agency).select_related("agency"):
        sync_clock(case, today=today)
    return created


def create_demo(agency, users: dict, *, write=print) -> None:
    """The hook ``manage.py setup_demo`` calls."""
    write("正在生成演示申请（约45件，含各阶段和办理结果）……")
    create_demo_requests(agency, users, write=write)
    write(f"正在生成上一年度的演示申请（{len(LAST_YEAR_SCENARIOS)}件）和行政复议、行政诉讼……")
    cases = create_last_year_requests(agency, users, write=write)
    if cases:
        create_demo_challenges(agency, users, cases, write=write)


def finish_demo(agency, users: dict, *, write=print) -> None:
    """The hook ``manage.py setup_demo`` calls after every app's demo data: last year's annual
    report counts the documents of the attributes app too (table 二)."""
    publish_last_year_report(agency, users, write=write)
    publish_demo_guide(agency, users["office_head"], write=write)
    if agency.parent_id is not None:
        # The supervising government's office head (setup_demo's ``supervisor``).
        head = agency.parent.staff.filter(groups__name="office_head").order_by("pk").first()
        if head is not None:
            publish_demo_guide(agency.parent, head, write=write)
            publish_last_year_report(
                agency.parent,
                {"office_head": head},
                write=write,
                figures=GOVERNMENT_FIGURES,
                texts_of=GOVERNMENT_TEXTS,
            )


#: What only the office knows, filled in on the demo guide (the rest comes from the agency).
DEMO_GUIDE = {
    "office_hours": "工作日上午8:30—12:00，下午14:30—17:30（法定节假日除外）（演示）",
    "office_fax": "0358-0000001（演示）",
    "office_email": "gongkai@example.gov.cn",
    "online_channel": "本网站“在线申请”栏目（演示）",
    "application_notes": "申请表可以在受理机构领取，也可以在本网站“在线申请”栏目直接填写。（演示）",
}

DEMO_CONTACTS = {
    "office_address": "山西省孝义市（演示地址）",
    "office_postcode": "032300",
    "office_phone": "0358-0000000（演示）",
}


def publish_demo_guide(agency, head, *, write=print):
    """The agency's 政府信息公开指南, started from its data and published by its office head
    through the services; nothing when one is published already."""
    from requests_app.models import Guide

    if Guide.objects.filter(agency=agency, status=Guide.Status.PUBLISHED).exists():
        write(f"{agency.name}的公开指南已发布，跳过。")
        return None
    draft = s.guide_draft(actor=head, agency=agency)
    values = dict(DEMO_GUIDE)
    # An agency whose contacts were never entered (the demo government) gets demo ones.
    for name, value in DEMO_CONTACTS.items():
        if not getattr(draft, name):
            values[name] = value
    s.guide_save(actor=head, guide_id=draft.pk, values=values)
    guide = s.guide_publish(actor=head, guide_id=draft.pk, note="首次发布（演示）")
    write(f"{agency.name}政府信息公开指南已发布（第{guide.version}版）。")
    return guide


# -- last year: cases, reconsiderations and lawsuits, and the published annual report -----------

#: Last year's cases: (label, (month, day) of receipt, steps as in ``scenarios``). Every case is
#: concluded in the year except the last two, received in December and served in January: last
#: year's report carries them over (四), this year's counts them in 上年结转 (二).
_REPLY = ["approve", "serve", "archive"]
LAST_YEAR_SCENARIOS: list[tuple[str, tuple[int, int], list[tuple[int, str]]]] = [
    ("予以公开", (2, 10), [(1, "accept"), (4, "propose:disclosed"), (6, "approve")]),
    ("本机关不掌握", (3, 16), [(1, "accept"), (5, "propose:not_held"), (7, "approve")]),
    (
        "部分公开",
        (4, 21),
        [(1, "accept"), (6, "propose:partly_disclosed"), (7, "legal_review"), (8, "approve")],
    ),
    (
        "不予公开（过程性信息）",
        (5, 12),
        [(1, "accept"), (8, "propose:withheld_process_info"), (10, "approve")],
    ),
    ("非本机关负责公开", (6, 16), [(1, "accept"), (3, "propose:not_our_agency"), (4, "approve")]),
    ("申请人撤回", (7, 7), [(1, "accept"), (3, "withdraw")]),
    ("逾期不补正", (8, 18), [(2, "correct"), (2, "served:correction"), (18, "correction_lapsed")]),
    ("予以公开（组织）", (9, 8), [(1, "accept"), (5, "propose:disclosed"), (7, "approve")]),
    ("需要另行制作", (10, 20), [(1, "accept"), (9, "propose:needs_creation"), (12, "approve")]),
    ("结转：予以公开", (12, 15), [(1, "accept"), (9, "propose:disclosed"), (12, "approve")]),
    ("结转：本机关不掌握", (12, 22), [(1, "accept"), (8, "propose:not_held"), (10, "approve")]),
]


def _first_working_day(calendar, day: date) -> date:
    return day if calendar.is_working_day(day) else calendar.next_working_day(day)


def create_last_year_requests(agency, users: dict, *, write=print) -> list[InformationRequest]:
    """Last year's demo cases (``LAST_YEAR_SCENARIOS``), each served and archived through the
    services on its own dates; nothing if the agency has cases of last year."""
    today = timezone.localdate()
    year = today.year - 1
    if InformationRequest.objects.filter(agency=agency, year=year).exists():
        write(f"{year}年的演示申请已存在，跳过。")
        return []
    rng = random.Random(year)
    calendar = get_calendar(agency.pk)
    cases = []
    for index, (label, (month, day), steps) in enumerate(LAST_YEAR_SCENARIOS):
        receipt = _first_working_day(calendar, date(year, month, day))
        case = s.request_register(
            actor=users["registrar"],
            agency=agency,
            data=_registration(rng, receipt, index),
            today=receipt,
        )
        # The reply (or the notice of the withdrawal or abandonment) served, then archived.
        last = steps[-1][0]
        tail = [(last + 1, "serve"), (last + 3, "archive")]
        for offset, name in [*steps, *tail]:
            on = min(calendar.add_working_days(receipt, offset), today)
            _step(name, case, on, users)
        sync_process(case)
        cases.append(case)
        write(f"[{year}年 {index + 1}/{len(LAST_YEAR_SCENARIOS)}] {case.case_number} {label}")
    from requests_app.clock_sync import sync_clock

    for case in cases:
        sync_clock(case, today=today)
    return cases


#: Reconsiderations and lawsuits (the annual report's table 四) as the office records them:
#: (index of the case in ``LAST_YEAR_SCENARIOS``, kind, days after the reply's service that it
#: was filed, result, detail, days it took; None: not decided yet). A lawsuit after a
#: reconsideration follows the one before it.
LAST_YEAR_CHALLENGES = [
    (3, "reconsideration", 20, "upheld", "", 55),
    (3, "lawsuit_after", 90, "pending", "", None),
    (4, "lawsuit_direct", 25, "other", "withdrawn", 40),
]


def create_demo_challenges(agency, users: dict, cases: list, *, write=print) -> list:
    """A few reconsiderations and lawsuits about served replies: on last year's ``cases``
    (``LAST_YEAR_CHALLENGES``) and one still pending on a reply served this year.

    Recorded through the service, as the legal reviewer would (audited, on the case page)."""
    from requests_app.models import Challenge
    from requests_app.services import ChallengeInput, challenge_record

    today = timezone.localdate()
    actor = users.get("legal_reviewer") or users["office_head"]
    made: list[Challenge] = []

    def record(case, kind, filed, result, detail, concluded, follows=None):
        body = agency.reconsideration_organ if kind == "reconsideration" else agency.court
        prefix = "孝政复决" if kind == "reconsideration" else "（演示）晋1181行初"
        challenge = challenge_record(
            actor=actor,
            case_id=case.pk,
            data=ChallengeInput(
                kind=kind,
                follows_id=follows.pk if follows is not None else None,
                body=body or ("某市人民政府" if kind == "reconsideration" else "某市人民法院"),
                number=f"{prefix}〔{filed.year}〕{len(made) + 1}号",
                filed_on=filed,
                claim="撤销被申请人作出的政府信息公开答复，责令重新答复。",
                result=result,
                detail=detail,
                concluded_on=concluded,
            ),
            today=today,
        )
        made.append(challenge)
        write(
            f"{case.case_number}：{challenge.get_kind_display()}，{challenge.get_result_display()}"
        )
        return challenge

    for index, kind, after, result, detail, took in LAST_YEAR_CHALLENGES:
        if index >= len(cases):
            continue
        case = cases[index]
        case.refresh_from_db()
        filed = min(case.served_on + timedelta(days=after), today)
        concluded = filed + timedelta(days=took) if took is not None else None
        if concluded is not None and concluded > today:
            result, detail, concluded = "pending", "", None
        follows = made[-1] if kind == "lawsuit_after" and made else None
        record(case, kind, filed, result, detail, concluded, follows)
    this_year = (
        InformationRequest.objects.filter(
            agency=agency, year=today.year, served_on__isnull=False, challenges__isnull=True
        )
        .order_by("served_on", "pk")
        .first()
    )
    if this_year is not None:
        filed = min(this_year.served_on + timedelta(days=10), today)
        record(this_year, "reconsideration", filed, "pending", "", None)
    return made


#: Table 二's figures the office enters for last year's report, with where they come from.
LAST_YEAR_FIGURES = [
    ("licensing", "1268", "本机关行政审批系统{year}年度办件统计"),
    ("penalty", "37", "本机关行政执法信息平台{year}年度统计"),
    ("coercion", "2", "本机关行政执法信息平台{year}年度统计"),
    ("fees", "12.5", "本机关{year}年度非税收入缴库记录"),
]


#: What the office writes itself in last year's report (no numbers: those come from the tables).
LAST_YEAR_TEXTS = {
    "一": (
        "本机关在门户网站设立政府信息公开专栏，依申请公开从登记、办理到送达、归档全程在线，"
        "答复书逐件经法制审核，年度报告按期发布。"
    ),
    "五": (
        "存在的主要问题：个别答复说理不够充分，申请人对不予公开的理由理解不一。"
        "改进情况：不予公开的答复逐项写明理由和依据，加强承办人员培训，及时总结行政复议、"
        "行政诉讼中反映的问题。"
    ),
}


#: The demo government's figures and texts: it registered no requests in the system, its table 二
#: figures come from its own statistics.
GOVERNMENT_FIGURES = [
    ("licensing", "0", "本级政府{year}年度统计（由各职能部门实施，本级未直接实施）"),
    ("penalty", "0", "本级政府{year}年度统计（由各执法部门实施，本级未直接实施）"),
    ("coercion", "0", "本级政府{year}年度统计（由各执法部门实施，本级未直接实施）"),
    ("fees", "0", "本级政府{year}年度非税收入缴库记录"),
]
GOVERNMENT_TEXTS = {
    "一": (
        "本级政府在门户网站设立政府信息公开专栏，政府文件经保密审查后主动公开并编制索引号，"
        "按期发布政府信息公开指南和年度报告。"
    ),
    "五": (
        "存在的主要问题：部分文件公开后的政策解读不够及时。"
        "改进情况：政策性文件与解读材料同步起草、同步审签、同步发布。"
    ),
}


def publish_last_year_report(agency, users: dict, *, write=print, figures=None, texts_of=None):
    """Last year's annual report, drafted and published by the office head through the
    services, as it would have been in January (before the 31 January deadline); nothing when
    it is published already. ``figures`` and ``texts_of``: table 二's figures and the office's
    own texts (the demo agency's when not given)."""
    from requests_app.annual_report.checks import GENERAL_NOTE
    from requests_app.models import AnnualReport

    today = timezone.localdate()
    year = today.year - 1
    published = AnnualReport.objects.filter(
        agency=agency, year=year, status=AnnualReport.Status.PUBLISHED
    ).first()
    if published is not None:
        write(f"{year}年度报告已发布，跳过。")
        return published
    head = users["office_head"]
    for field, value, source in figures or LAST_YEAR_FIGURES:
        s.figure_set(
            actor=head,
            agency=agency,
            year=year,
            field=field,
            value=value,
            source=source.format(year=year),
            today=today,
        )
    draft = s.report_draft(actor=head, agency=agency, year=year, today=today)
    # The pre-filled texts, with the places the office writes itself filled in.
    texts = dict(draft.texts)
    own = texts_of or LAST_YEAR_TEXTS
    texts["一"] = texts["一"].replace("（请填写）", own["一"])
    texts["五"] = own["五"]
    s.report_save(
        actor=head,
        report_id=draft.pk,
        texts=texts,
        carryover_notes={
            GENERAL_NOTE: (
                f"本机关{year - 1}年度报告在启用本系统前发布，其结转下年度继续办理的申请为0件，"
                "与本年上年结转数一致。"
            )
        },
    )
    january = datetime(today.year, 1, 20, 10, 0, tzinfo=timezone.get_current_timezone())
    report = s.report_publish(actor=head, report_id=draft.pk, now=min(january, timezone.now()))
    write(f"{year}年度政府信息公开工作年度报告已发布（第{report.version}版）。")
    return report
