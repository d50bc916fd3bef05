"""Demo documents for ``manage.py setup_demo``: drafting units with their drafters and heads,
about 40 documents in every attribute state (some publications overdue or at risk, older
documents without secrecy status or attribute, older documents determined by letter, one of them
for a request, and one transferred to the archives), last year's closed review and this year's
open review with items at every step.

Built through the real services, with dates counted back from today in working days, so the demo
shows overdue and at-risk deadlines whenever it is run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from io import BytesIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from attributes_app import rules
from attributes_app import services as s
from attributes_app.archives import document_record_archive_transfer
from attributes_app.models import (
    AttributeChange,
    CatalogueItem,
    Document,
    Publication,
    SecrecyReview,
)
from attributes_app.services import determination_answer
from workflow.calendar import get_calendar
from workflow.models import AuditEvent

DEMO_PASSWORD = "demo"
PORTAL = "https://www.example.gov.cn/zwgk/"
REG = rules.REGULATION

# username -> (name shown, role, unit, head of the unit?)
PEOPLE = {
    "zonghe_drafter": ("综合科 王拟稿", "drafter", "综合科", False),
    "fagui_drafter": ("法规科 李拟稿", "drafter", "法规科", False),
    "fagui_head": ("法规科 赵科长", "drafting_unit_head", "法规科", True),
    "chengjian_drafter": ("城建科 陈拟稿", "drafter", "城建科", False),
    "chengjian_head": ("城建科 周科长", "drafting_unit_head", "城建科", True),
}
UNITS = ["综合科", "法规科", "城建科"]

INTERNAL = {
    "reasons": "系本机关内部人事和后勤安排，属于内部事务信息。",
    "ground": "internal_affairs",
}
PROCESS = {"reasons": "系决策过程中的讨论稿和请示，属于过程性信息。", "ground": "process_info"}
THIRD = {
    "reasons": "附件含投标企业的报价和技术方案，企业不同意公开。",
    "ground": "third_party",
}
LIMITED = {
    "reasons": "只涉及个别项目单位的资金安排，不需要社会公众广泛知晓。",
    "ground": "limited_scope",
}
ENFORCEMENT = {"reasons": "系行政执法案卷材料。", "ground": "enforcement_file"}


@dataclass
class Plan:
    """One demo document: what it is and how far it goes."""

    title: str
    unit: str
    kind: str = "other"
    attribute: str = ""
    reasons: dict = field(default_factory=dict)
    age: int = 5  # formed this many working days ago
    steps: tuple[str, ...] = ()
    formed: date | None = None  # an older document
    catalogue: str = ""  # the catalogue item it fulfils


PLANS: list[Plan] = [
    # Drafts
    Plan("关于做好2026年防汛工作的通知（征求意见稿）", "综合科", age=1),
    Plan(
        "关于调整机关食堂就餐时间的通知", "综合科", attribute="proactive", age=1, steps=("propose",)
    ),
    Plan(
        "关于某项目专项资金安排的批复",
        "城建科",
        attribute="on_request",
        reasons=LIMITED,
        age=2,
        steps=("propose",),
    ),
    Plan(
        "关于机关干部交流轮岗的安排",
        "法规科",
        attribute="withheld",
        reasons=INTERNAL,
        age=2,
        steps=("propose",),
    ),
    Plan(
        "关于城区停车设施建设的实施意见",
        "城建科",
        kind="policy",
        attribute="on_request",
        reasons=LIMITED,
        age=3,
        steps=("propose",),
    ),
    Plan(
        "关于优化营商环境若干措施的讨论稿",
        "综合科",
        kind="policy",
        attribute="withheld",
        reasons=PROCESS,
        age=3,
        steps=("propose",),
    ),
    Plan(
        "关于老旧小区加装电梯的补助办法（退回修改）",
        "城建科",
        kind="policy",
        attribute="withheld",
        reasons=INTERNAL,
        age=4,
        steps=("propose", "office_return"),
    ),
    Plan(
        "关于2026年度绩效考核的通知（退回修改）",
        "综合科",
        attribute="proactive",
        age=4,
        steps=("propose", "send_back"),
    ),
    # Confirmed, waiting for issuance or publication
    Plan(
        "关于开展安全生产大检查的通知", "综合科", attribute="proactive", age=2, steps=("confirm",)
    ),
    Plan(
        "孝义市城区供热管网改造实施方案",
        "城建科",
        kind="policy",
        attribute="proactive",
        age=6,
        steps=("confirm", "issue"),
    ),
    Plan(
        "关于公布2026年行政执法主体的通知",
        "法规科",
        attribute="proactive",
        age=18,
        steps=("confirm", "issue", "secrecy"),
        catalogue="行政执法主体和职责",
    ),
    Plan(
        "孝义市城市更新项目批准结果",
        "城建科",
        attribute="proactive",
        age=19,
        steps=("confirm", "issue", "secrecy"),
        catalogue="城市更新项目批准结果",
    ),
    Plan(
        "关于2026年第一批农村公路建设项目的通知",
        "城建科",
        attribute="proactive",
        age=27,
        steps=("confirm", "issue", "secrecy"),
    ),
    Plan(
        "孝义市行政规范性文件管理办法",
        "法规科",
        kind="normative",
        attribute="proactive",
        age=33,
        steps=("confirm", "issue"),
    ),
    Plan(
        "关于公开2025年度部门决算的通知",
        "综合科",
        attribute="proactive",
        age=8,
        steps=("confirm", "issue", "secrecy_refused"),
    ),
    # Published
    *[
        Plan(title, unit, kind=kind, attribute="proactive", age=age, steps=steps)
        for title, unit, kind, age, steps in (
            (
                "孝义市2026年政府工作报告重点任务分工",
                "综合科",
                "policy",
                40,
                ("confirm", "issue", "secrecy", "publish", "interpretation"),
            ),
            (
                "孝义市促进民营经济发展的若干措施",
                "综合科",
                "policy",
                12,
                ("confirm", "issue", "secrecy", "publish"),
            ),
            (
                "孝义市城市管理综合执法细则",
                "法规科",
                "normative",
                30,
                ("confirm", "issue", "secrecy", "publish"),
            ),
            (
                "关于公布2026年市级重点工程项目的通知",
                "城建科",
                "other",
                45,
                ("confirm", "issue", "secrecy", "publish_late"),
            ),
            (
                "关于春节期间值班安排的通知",
                "综合科",
                "other",
                60,
                ("confirm", "issue", "secrecy", "publish"),
            ),
            (
                "孝义市地名管理办法",
                "法规科",
                "normative",
                80,
                ("confirm", "issue", "secrecy", "publish"),
            ),
        )
    ],
    # On request and withheld (the yearly review works on these)
    *[
        Plan(title, unit, attribute=attribute, reasons=reasons, age=age, steps=("confirm", "issue"))
        for title, unit, attribute, reasons, age in (
            ("关于机关内设机构人员调整的通知", "综合科", "withheld", INTERNAL, 20),
            ("关于某路段改造资金拨付的批复", "城建科", "on_request", LIMITED, 25),
            ("某工程招标文件审查意见", "城建科", "withheld", THIRD, 35),
            ("关于某企业行政处罚案件的处理意见", "法规科", "withheld", ENFORCEMENT, 38),
            ("关于某小区物业纠纷调处情况的函", "城建科", "on_request", LIMITED, 50),
            ("关于机关车辆使用管理的规定", "综合科", "withheld", INTERNAL, 55),
            ("关于城区规划调整的请示", "城建科", "withheld", PROCESS, 70),
            ("关于某专项整治工作的情况报告", "法规科", "withheld", PROCESS, 75),
            ("关于个别企业用地指标的复函", "城建科", "on_request", LIMITED, 90),
            ("关于机关档案室管理的内部规程", "综合科", "withheld", INTERNAL, 100),
            ("关于某村征地补偿个案的答复", "城建科", "on_request", LIMITED, 110),
            ("关于信访积案化解的工作方案", "法规科", "withheld", PROCESS, 120),
        )
    ],
    # Older documents
    Plan(
        "2019年城建工作会议纪要",
        "城建科",
        attribute="withheld",
        reasons=PROCESS,
        formed=date(2019, 4, 1),
        steps=("determine",),
    ),
    Plan(
        "关于2018年度机关财务管理的通知",
        "综合科",
        attribute="on_request",
        reasons=LIMITED,
        formed=date(2018, 9, 3),
        steps=("determine",),
    ),
    Plan("关于2017年街道办事处职能调整的通知", "综合科", formed=date(2017, 6, 5)),
    Plan("2016年城区拆迁工作会议纪要", "城建科", formed=date(2016, 11, 14)),
    Plan(
        "关于某涉密工程的工作安排",
        "法规科",
        attribute="proactive",
        age=3,
        steps=("propose", "classify"),
    ),
]


def _people(agency, users: dict, write) -> dict:
    """The demo's drafters and unit heads, and the role accounts of ``setup_demo``."""
    User = get_user_model()
    people = dict(users)
    for username, (name, role, _, _) in PEOPLE.items():
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = name
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        agency.staff.add(user)
        people[username] = user
        write(f"  {username:<20} {name}")
    return people


def _units(agency, people: dict) -> dict:
    admin = people["admin"]
    members: dict[str, list] = {name: [] for name in UNITS}
    heads: dict[str, list] = {name: [] for name in UNITS}
    members["综合科"].append(people["drafter"])
    heads["综合科"].append(people["drafting_unit_head"])
    for username, (_, _, unit, head) in PEOPLE.items():
        (heads if head else members)[unit].append(people[username])
    return {
        name: s.drafting_unit_save(
            actor=admin, agency=agency, name=name, members=members[name], heads=heads[name]
        )
        for name in UNITS
    }


def _drafter_of(unit: str, people: dict):
    return {
        "综合科": people["drafter"],
        "法规科": people["fagui_drafter"],
        "城建科": people["chengjian_drafter"],
    }[unit]


def _head_of(unit: str, people: dict):
    return {
        "综合科": people["drafting_unit_head"],
        "法规科": people["fagui_head"],
        "城建科": people["chengjian_head"],
    }[unit]


#: The demo catalogue: the two items the demo documents are linked to, under real pilot areas
#: (``attributes_app.catalogue``); the agency's own catalogue is compiled by its office.
DEMO_CATALOGUE = (
    (
        "重大建设项目",
        "批准结果信息",
        "城市更新项目批准结果",
        "项目名称、批准文号、批准机关、批准时间",
        5,
        ["website", "notice_board"],
    ),
    (
        "城市综合执法",
        "执法公示",
        "行政执法主体和职责",
        "执法主体名称、职责、依据、监督方式",
        None,
        ["website", "service_center"],
    ),
)


def _catalogue(agency, rows, *, editor, publisher) -> dict[str, CatalogueItem]:
    """The demo items ``rows``, published as version 1 of the agency's catalogue."""
    items = {}
    for area, first_level, name, content, days, channels in rows:
        items[name] = s.catalogue_item_save(
            actor=editor,
            agency=agency,
            data=s.CatalogueItemData(
                area=area,
                first_level=first_level,
                name=name,
                content=content,
                legal_basis=f"{REG}第二十条",
                time_limit="" if days else "自信息形成或者变更之日起20个工作日内",
                publication_days=days,
                body=agency.name,
                channels=channels,
                audience="public",
                default_attribute="proactive",
                level_county=True,
            ),
        )
    s.catalogue_publish(actor=publisher, agency=agency, note="演示目录")
    return items


#: When each drafting step of a demo document happened: working days from its formation (签发)
#: and the time of day, so that its history reads as it would have happened, not all today.
STEP_TIMES = {
    "document_registered": (-3, time(9, 0)),
    "document_text_attached": (-3, time(9, 5)),
    "attribute_propose": (-3, time(9, 10)),
    "attribute_office_approve": (-2, time(15, 0)),
    "attribute_office_return": (-2, time(15, 0)),
    "attribute_send_back": (-1, time(10, 0)),
    "attribute_classify": (-1, time(11, 0)),
    "attribute_confirm": (0, time(10, 30)),
    "document_issued": (0, time(16, 0)),
}
#: Steps recorded with their own date: (the date's source, time of day).
DATED_STEPS = {
    "secrecy_reviewed": time(11, 0),
    "attribute_publish": time(14, 0),
    "interpretation_published": time(16, 30),
}


#: The document's time field each step sets.
STEP_FIELDS = {
    "document_registered": "created_at",
    "attribute_propose": "proposed_at",
    "attribute_office_approve": "office_reviewed_at",
    "attribute_office_return": "office_reviewed_at",
    "attribute_confirm": "confirmed_at",
}


def _backdate(document: Document, formed: date, calendar) -> None:
    """Move the demo document's recorded moments (its audit events, attribute history, secrecy
    reviews and the registration, proposal, review and confirmation times) from today to when
    each step happened; never later than now, never out of order.

    An attribute change and the audit event of its transition are made together, so the n-th
    ``attribute_*`` event goes with the n-th change."""
    now = timezone.now()
    tz = timezone.get_current_timezone()
    publication = Publication.objects.filter(document=document).first()
    reviews = iter(document.secrecy_reviews.order_by("id"))
    changes = iter(AttributeChange.objects.filter(document=document).order_by("id"))
    events = AuditEvent.objects.filter(
        object_type=Document._meta.label_lower, object_id=str(document.pk)
    ).order_by("id")
    fields: dict = {}
    floor = None
    for event in events:
        change = next(changes, None) if event.action.startswith("attribute_") else None
        review = None
        if event.action in STEP_TIMES:
            days, at = STEP_TIMES[event.action]
            day = calendar.add_working_days(formed, days) if days else formed
        elif event.action == "secrecy_reviewed":
            review = next(reviews)
            day, at = review.reviewed_on, DATED_STEPS[event.action]
        elif event.action == "attribute_publish" and publication and publication.published_on:
            day, at = publication.published_on, DATED_STEPS[event.action]
        elif event.action == "interpretation_published" and publication:
            day, at = publication.interpretation_published_on, DATED_STEPS[event.action]
        else:
            continue
        when = min(timezone.make_aware(datetime.combine(day, at), tz), now)
        when = max(when, floor) if floor is not None else when
        floor = when
        AuditEvent.objects.filter(pk=event.pk).update(at=when)
        if change is not None:
            AttributeChange.objects.filter(pk=change.pk).update(at=when)
        if review is not None:
            SecrecyReview.objects.filter(pk=review.pk).update(recorded_at=when)
        if event.action in STEP_FIELDS:
            fields[STEP_FIELDS[event.action]] = when
    Document.objects.filter(pk=document.pk).update(**fields)


def _run(plan: Plan, index: int, agency, units, people, catalogue, today: date, calendar):
    document = _steps(plan, index, agency, units, people, catalogue, today, calendar)
    if not plan.formed:
        _backdate(document, calendar.add_working_days(today, -plan.age), calendar)
    return document


def _final_text(title: str) -> ContentFile:
    """A DOCX of the document's final text: its title and one line of body."""
    import docx

    text = docx.Document()
    text.add_heading(title, level=1)
    text.add_paragraph("各乡镇人民政府、街道办事处，市直各有关单位：（正文略）")
    buffer = BytesIO()
    text.save(buffer)
    return ContentFile(buffer.getvalue(), name="正式文本.docx")


def _steps(plan: Plan, index: int, agency, units, people, catalogue, today: date, calendar):
    unit = units[plan.unit]
    drafter, head = _drafter_of(plan.unit, people), _head_of(plan.unit, people)
    office, secrecy = people["office_head"], people["secrecy_reviewer"]
    if plan.formed:
        # An older, already issued document registered by the disclosure office.
        document = s.document_register(
            actor=office,
            agency=agency,
            data=s.DocumentData(
                title=plan.title,
                drafting_unit_id=unit.pk,
                number=f"孝政办发〔{plan.formed.year}〕{index + 1}号",
                formed_on=plan.formed,
                issued_on=plan.formed,
            ),
        )
        if "determine" in plan.steps:
            determination_answer(
                actor=head, document_id=document.pk, attribute=plan.attribute, **plan.reasons
            )
        return document
    formed = calendar.add_working_days(today, -plan.age)
    item = catalogue.get(plan.catalogue)
    document = s.document_register(
        actor=drafter,
        agency=agency,
        data=s.DocumentData(
            title=plan.title,
            drafting_unit_id=unit.pk,
            kind=plan.kind,
            catalogue_item_id=item.pk if item else None,
            # Issued documents had their secrecy status decided while drafted (DOMAIN §4.1).
            secrecy=Document.Secrecy.NON_SECRET
            if "issue" in plan.steps
            else Document.Secrecy.UNDETERMINED,
        ),
    )
    if not plan.attribute:
        return document
    pk = document.pk
    s.attribute_propose(actor=drafter, document_id=pk, attribute=plan.attribute, **plan.reasons)
    if Document.objects.get(pk=pk).attribute_state == "office_review" and (
        set(plan.steps) & {"confirm", "office_return"}
    ):
        if "office_return" in plan.steps:
            s.attribute_office_return(
                actor=office,
                document_id=pk,
                opinion="理由不充分：补助标准涉及公众利益，应当主动公开。",
            )
            return document
        s.attribute_office_approve(actor=office, document_id=pk, opinion="同意依申请公开。")
    if "send_back" in plan.steps:
        s.attribute_send_back(actor=head, document_id=pk, comment="考核结果涉及个人，请重新考虑。")
        return document
    if "classify" in plan.steps:
        s.document_mark_classified(
            actor=secrecy, document_id=pk, reason="经定密，属于国家秘密（孝定密〔2026〕1号）"
        )
        return document
    if "confirm" not in plan.steps:
        return document
    s.attribute_confirm(actor=head, document_id=pk, formed_on=formed, today=today)
    if "issue" not in plan.steps:
        return document
    # A document is issued as its final text: the drafter uploads it first.
    s.document_attach_text(actor=drafter, document_id=pk, file=_final_text(plan.title))
    s.document_issue(
        actor=drafter,
        document_id=pk,
        issued_on=formed,
        number=f"孝政发〔{formed.year}〕{index + 1}号",
        today=today,
    )
    reviewed = calendar.add_working_days(formed, 1) if plan.age > 1 else formed
    reviewed = min(reviewed, today)
    if "secrecy_refused" in plan.steps:
        s.secrecy_review_record(
            actor=secrecy,
            document_id=pk,
            conclusion="not_cleared",
            opinion="附件含个人银行账号，删除后再送审。",
            reviewed_on=reviewed,
            today=today,
        )
    if "secrecy" in plan.steps:
        s.secrecy_review_record(
            actor=secrecy,
            document_id=pk,
            conclusion="cleared",
            opinion="经审查，不涉及国家秘密和工作秘密，同意公开。",
            reviewed_on=reviewed,
            today=today,
        )
    publish = {"publish": 3, "publish_late": 25}
    for step, days in publish.items():
        if step in plan.steps:
            on = min(calendar.add_working_days(formed, days), today)
            s.document_publish(
                actor=office,
                document_id=pk,
                url=f"{PORTAL}{formed:%Y%m}/{pk}.html",
                published_on=on,
                today=today,
            )
            if "interpretation" in plan.steps:
                s.interpretation_record(
                    actor=office,
                    document_id=pk,
                    title=f"一图读懂《{plan.title}》",
                    url=f"{PORTAL}{formed:%Y%m}/{pk}-jd.html",
                    published_on=min(calendar.add_working_days(on, 2), today),
                    today=today,
                )
    return document


def _requests_for(agency, document, people, write) -> None:
    """Three different applicants asked for ``document`` and were given it: the yearly review's
    Art. 44 signal. Uses the demo's answered requests, and registers more when they are short."""
    from requests_app import services as rs
    from requests_app.flows import sync_process
    from requests_app.models import InformationRequest

    cases, seen = [], set()
    for case in InformationRequest.objects.filter(
        agency=agency, outcome__in=["disclosed", "partly_disclosed"]
    ).order_by("pk"):
        if case.applicant_name not in seen and len(cases) < 3:
            seen.add(case.applicant_name)
            cases.append(case)
    handler, today = people["handler"], timezone.localdate()
    for name, passport in (("孙某", "E20260001"), ("钱某", "E20260002"), ("郑某", "E20260003")):
        if len(cases) == 3:
            break
        case = rs.request_register(
            actor=people["registrar"],
            agency=agency,
            data=rs.Registration(
                channel="online",
                arrival_date=today,
                receipt_date=today,
                applicant_kind="person",
                applicant_name=name,
                id_type="passport",
                id_number=passport,
                phone="13800000000",
                description=f"《{document.title}》全文",
                form_wanted="electronic",
                delivery="email",
                email="applicant@example.com",
            ),
        )
        rs.request_accept(actor=handler, case_id=case.pk)
        rs.decision_propose(
            actor=handler,
            case_id=case.pk,
            proposal=rs.Proposal(
                outcome="disclosed",
                articles=[f"{REG}第三十六条第（二）项"],
                provided=["文件全文"],
                provide_form="electronic",
            ),
        )
        rs.decision_record_secrecy_review(  # Art. 17 ¶2: what is disclosed is reviewed first
            actor=people["secrecy_reviewer"],
            case_id=case.pk,
            passed=True,
            opinion="经审查，拟公开的文件不涉及国家秘密，同意公开。",
        )
        rs.decision_approve(actor=people["office_head"], case_id=case.pk)
        sync_process(InformationRequest.objects.get(pk=case.pk))
        cases.append(case)
    for case in cases:
        s.document_link_request(actor=handler, document_id=document.pk, request_id=case.pk)
    write(f"  《{document.title}》：{len(cases)}名申请人申请并获公开（《条例》第四十四条）")


def _request_for_older_documents(agency, units, people, write) -> None:
    """A request naming two older documents (DOMAIN §4.4): one without attribute, which its
    drafting unit answers by letter (公函, kept with the case), and one transferred to the
    archives, which the reply refers to the Archives Law. The case then waits for its proposal."""
    from attributes_app.services import request_name_document
    from requests_app import services as rs
    from requests_app.flows import sync_process
    from requests_app.models import InformationRequest

    office, handler, today = people["office_head"], people["handler"], timezone.localdate()
    older = s.document_register(
        actor=office,
        agency=agency,
        data=s.DocumentData(
            title="关于加强城区集贸市场管理的通知",
            drafting_unit_id=units["综合科"].pk,
            number="孝政办发〔2012〕31号",
            formed_on=date(2012, 8, 20),
            issued_on=date(2012, 8, 20),
            secrecy=Document.Secrecy.NON_SECRET,
        ),
    )
    archived = s.document_register(
        actor=office,
        agency=agency,
        data=s.DocumentData(
            title="关于城区部分道路命名的批复",
            drafting_unit_id=units["城建科"].pk,
            number="孝政函〔2008〕17号",
            formed_on=date(2008, 3, 12),
            issued_on=date(2008, 3, 12),
            secrecy=Document.Secrecy.NON_SECRET,
        ),
    )
    document_record_archive_transfer(
        actor=office,
        document_id=archived.pk,
        transferred_on=date(2019, 5, 10),
        archive_name="孝义市档案馆",
    )
    case = rs.request_register(
        actor=people["registrar"],
        agency=agency,
        data=rs.Registration(
            channel="in_person",
            arrival_date=today,
            receipt_date=today,
            applicant_kind="person",
            applicant_name="冯某",
            id_type="passport",
            id_number="E20260004",
            phone="13800000004",
            description=f"《{older.title}》和《{archived.title}》全文",
            form_wanted="paper",
            delivery="collect",
        ),
    )
    rs.request_accept(actor=handler, case_id=case.pk)
    for document in (older, archived):
        request_name_document(actor=handler, case_id=case.pk, document_id=document.pk)
    determination = determination_answer(
        actor=people["drafting_unit_head"],
        document_id=older.pk,
        attribute="proactive",
        reasons="系集贸市场管理的一般要求，涉及公众利益，应当主动公开。",
    )
    sync_process(InformationRequest.objects.get(pk=case.pk))
    write(
        f"  申请{case.case_number}：《{older.title}》经综合科以"
        f"{determination.letter.number}认定为主动公开；《{archived.title}》已移交档案馆"
    )


def _reviews(agency, people, documents: dict[str, Document], today: date, write) -> None:
    legal = people["legal_reviewer"]
    keep = s.ReviewProposal(verdict="keep", reasons="不主动公开的理由仍然成立。")
    change = s.ReviewProposal(
        verdict="change", attribute="proactive", reasons="相关工作已经完成，可以主动公开。"
    )
    keep_decision = s.ReviewDecision(
        verdict="keep", reason_code="reasons_stand", reasons="经复核，不主动公开的理由仍然成立。"
    )

    def propose_all(review, proposals: dict[str, s.ReviewProposal]):
        for item in review.items.select_related("document"):
            proposal = proposals.get(item.document.title, keep)
            member = _drafter_of(item.drafting_unit.name, people)
            s.review_propose(actor=member, item_id=item.pk, proposal=proposal)

    # Last year's review, closed, with two documents changed to proactive.
    last = s.review_open(actor=legal, agency=agency, year=today.year - 1, today=today)
    changed_last = {"关于2018年度机关财务管理的通知", "关于机关档案室管理的内部规程"}
    propose_all(last, dict.fromkeys(changed_last, change))
    to_change = list(
        last.items.filter(document__title__in=changed_last).values_list("pk", flat=True)
    )
    s.review_decide_bulk(
        actor=legal,
        review_id=last.pk,
        item_ids=to_change,
        decision=s.ReviewDecision(
            verdict="change",
            attribute="proactive",
            reason_code="time_elapsed",
            reasons="时过境迁，不主动公开的理由已不存在，转为主动公开。",
        ),
    )
    s.review_decide_bulk(
        actor=legal,
        review_id=last.pk,
        item_ids=list(last.items.filter(status="proposed").values_list("pk", flat=True)),
        decision=keep_decision,
    )
    s.review_close(actor=legal, review_id=last.pk)
    write(f"  {last.year}年度复核：已结束")

    # This year's review, open, with items at every step.
    review = s.review_open(actor=legal, agency=agency, year=today.year, today=today)
    items = {i.document.title: i for i in review.items.select_related("document", "drafting_unit")}
    proposals = {
        "关于某路段改造资金拨付的批复": change,
        "关于城区规划调整的请示": change,
        "关于某小区物业纠纷调处情况的函": change,
        "关于个别企业用地指标的复函": change,
        "关于机关内设机构人员调整的通知": keep,
        "关于机关车辆使用管理的规定": keep,
        "某工程招标文件审查意见": keep,
        "关于某企业行政处罚案件的处理意见": keep,
        "2019年城建工作会议纪要": change,
    }
    for title, proposal in proposals.items():
        if title in items:
            member = _drafter_of(items[title].drafting_unit.name, people)
            s.review_propose(actor=member, item_id=items[title].pk, proposal=proposal)
    decided_change = [
        items[t].pk
        for t in ("关于某路段改造资金拨付的批复", "关于城区规划调整的请示")
        if t in items
    ]
    if decided_change:
        s.review_decide_bulk(
            actor=legal,
            review_id=review.pk,
            item_ids=decided_change,
            decision=s.ReviewDecision(
                verdict="change",
                attribute="proactive",
                reason_code="process_decided",
                reasons="所涉事项已经办结，转为主动公开。",
            ),
        )
    decided_keep = [
        items[t].pk
        for t in ("关于机关内设机构人员调整的通知", "关于机关车辆使用管理的规定")
        if t in items
    ]
    if decided_keep:
        s.review_decide_bulk(
            actor=legal, review_id=review.pk, item_ids=decided_keep, decision=keep_decision
        )
    # A document found to be a state secret during the review leaves it (item withdrawn).
    secret = documents.get("关于信访积案化解的工作方案")
    if secret is not None:
        s.document_mark_classified(
            actor=people["secrecy_reviewer"],
            document_id=secret.pk,
            reason="经定密，属于工作秘密以上（孝定密〔2026〕2号）",
        )
    counts = {
        status: review.items.filter(status=status).count()
        for status in ("with_unit", "proposed", "decided", "withdrawn")
    }
    write(
        f"  {review.year}年度复核：进行中（待起草单位{counts['with_unit']}项，"
        f"待决定{counts['proposed']}项，已决定{counts['decided']}项，移出{counts['withdrawn']}项）"
    )


def create_demo_documents(agency, users: dict, *, write=print) -> int:
    """Create the demo register of ``agency`` (nothing if it already has documents)."""
    if Document.objects.filter(agency=agency).exists():
        write(f"演示文件已存在（{Document.objects.filter(agency=agency).count()}份），跳过。")
        return 0
    write("起草单位的演示账号（密码均为 demo）：")
    people = _people(agency, users, write)
    units = _units(agency, people)
    catalogue = _catalogue(
        agency, DEMO_CATALOGUE, editor=people["admin"], publisher=people["office_head"]
    )
    today = timezone.localdate()
    calendar = get_calendar(agency.pk)
    documents = {}
    for index, plan in enumerate(PLANS):
        documents[plan.title] = _run(plan, index, agency, units, people, catalogue, today, calendar)
    write(f"已生成{len(documents)}份演示文件。")
    asked = documents.get("关于某小区物业纠纷调处情况的函")
    if asked is not None:
        _requests_for(agency, asked, people, write)
    process = documents.get("关于城区规划调整的请示")
    if process is not None:
        s.document_record_process_decision(
            actor=people["chengjian_drafter"],
            document_id=process.pk,
            decided_on=calendar.add_working_days(today, -10),
            note="规划调整方案已经市政府常务会议审议通过。",
        )
    expired = documents.get("关于某专项整治工作的情况报告")
    if expired is not None:
        s.document_set_validity(
            actor=people["legal_reviewer"],
            document_id=expired.pk,
            validity="expired",
            changed_on=calendar.add_working_days(today, -5),
            note="专项整治工作已结束",
        )
    _request_for_older_documents(agency, units, people, write)
    _reviews(agency, people, documents, today, write)
    return len(documents)


def create_demo(agency, users: dict, *, write=print) -> None:
    """The hook ``manage.py setup_demo`` calls."""
    write(
        "正在生成演示文件（约40份，含公开属性的各个状态、公开属性认定函、移交档案馆和年度复核）……"
    )
    create_demo_documents(agency, users, write=write)
    if agency.parent_id is not None:
        create_government_documents(agency.parent, write=write)


# -- the supervising government: its own few published documents and catalogue ----------------

#: The government's own accounts (password "demo"); its office head is ``setup_demo``'s
#: ``supervisor``. Staff stay in one agency: none of the demo agency's accounts is added here.
GOVERNMENT_PEOPLE = {
    "gov_admin": ("孝义市政府 系统管理员（演示）", "admin"),
    "gov_drafter": ("秘书科 孙拟稿", "drafter"),
    "gov_unit_head": ("秘书科 吴科长", "drafting_unit_head"),
    "gov_secrecy_reviewer": ("孝义市政府 保密审查员（演示）", "secrecy_reviewer"),
}
GOVERNMENT_UNIT = "秘书科"

#: The government's catalogue items, in the style of ``DEMO_CATALOGUE``.
GOVERNMENT_CATALOGUE = (
    (
        "重大建设项目",
        "批准结果信息",
        "市级重点工程项目批准结果",
        "项目名称、批准文号、批准机关、批准时间",
        5,
        ["website", "notice_board"],
    ),
    (
        "安全生产",
        "工作部署",
        "安全生产工作部署",
        "年度工作安排、责任分工、检查安排",
        None,
        ["website"],
    ),
)

#: The government's published documents: (title, kind, formed this many working days ago,
#: catalogue item), oldest first; numbered 孝政发〔year〕N号 in that order.
GOVERNMENT_DOCUMENTS = (
    ("孝义市人民政府关于印发孝义市城区集中供热管理办法的通知", "normative", 70, ""),
    (
        "孝义市人民政府关于下达2026年市级重点工程建设计划的通知",
        "other",
        55,
        "市级重点工程项目批准结果",
    ),
    ("孝义市人民政府关于做好冬季安全生产工作的通知", "other", 35, "安全生产工作部署"),
    ("孝义市人民政府关于表彰2025年度全市招商引资先进单位的决定", "other", 20, ""),
)


def create_government_documents(government, *, write=print) -> int:
    """A few published documents of the supervising ``government`` and its published catalogue,
    through the services (nothing if it already has documents)."""
    if Document.objects.filter(agency=government).exists():
        count = Document.objects.filter(agency=government).count()
        write(f"{government.name}的演示文件已存在（{count}份），跳过。")
        return 0
    office = government.staff.filter(groups__name="office_head").order_by("pk").first()
    if office is None:
        return 0
    write(f"{government.name}的演示账号（密码均为 demo）：")
    User = get_user_model()
    people = {}
    for username, (name, role) in GOVERNMENT_PEOPLE.items():
        user, _ = User.objects.get_or_create(username=username)
        user.first_name = name
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        government.staff.add(user)
        people[username] = user
        write(f"  {username:<20} {name}")
    drafter, head = people["gov_drafter"], people["gov_unit_head"]
    unit = s.drafting_unit_save(
        actor=people["gov_admin"],
        agency=government,
        name=GOVERNMENT_UNIT,
        members=[drafter],
        heads=[head],
    )
    items = _catalogue(government, GOVERNMENT_CATALOGUE, editor=office, publisher=office)
    today = timezone.localdate()
    calendar = get_calendar(government.pk)
    for number, (title, kind, age, item) in enumerate(GOVERNMENT_DOCUMENTS, start=1):
        formed = calendar.add_working_days(today, -age)
        document = s.document_register(
            actor=drafter,
            agency=government,
            data=s.DocumentData(
                title=title,
                drafting_unit_id=unit.pk,
                kind=kind,
                catalogue_item_id=items[item].pk if item else None,
                secrecy=Document.Secrecy.NON_SECRET,
            ),
        )
        pk = document.pk
        s.attribute_propose(actor=drafter, document_id=pk, attribute="proactive")
        if Document.objects.get(pk=pk).attribute_state == "office_review":
            s.attribute_office_approve(actor=office, document_id=pk, opinion="同意主动公开。")
        s.attribute_confirm(actor=head, document_id=pk, formed_on=formed, today=today)
        s.document_attach_text(actor=drafter, document_id=pk, file=_final_text(title))
        s.document_issue(
            actor=drafter,
            document_id=pk,
            issued_on=formed,
            number=f"孝政发〔{formed.year}〕{number * 3}号",
            today=today,
        )
        s.secrecy_review_record(
            actor=people["gov_secrecy_reviewer"],
            document_id=pk,
            conclusion="cleared",
            opinion="经审查，不涉及国家秘密和工作秘密，同意公开。",
            reviewed_on=calendar.add_working_days(formed, 1),
            today=today,
        )
        s.document_publish(
            actor=office,
            document_id=pk,
            url=f"{PORTAL}{formed:%Y%m}/{pk}.html",
            published_on=calendar.add_working_days(formed, 3),
            today=today,
        )
        _backdate(document, formed, calendar)
    write(f"{government.name}：已发布{len(GOVERNMENT_DOCUMENTS)}份主动公开文件和公开事项目录。")
    return len(GOVERNMENT_DOCUMENTS)
