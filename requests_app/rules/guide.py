"""The words of an agency's 政府信息公开指南 (Art. 12), as a pure function of its facts.

Art. 12 asks the guide for how information is classified and arranged, how to obtain it, and
the disclosure office's name, address, office hours, phone, fax and online contact. The common
structure of the local guides adds what an applicant needs to know before applying: how to
apply and what to write (Art. 29), when the application counts as received (Art. 31), the
reply period (Art. 33), the fees (Fee Rules) and the remedies (DOMAIN §3.8, with 复议前置 for
refusals under Arts. 14–16).

What the law says is written here once and is not editable; what only the agency knows (its
hours, its channels, what it publishes) comes from the guide's fields. The result is a list of
sections that a published version freezes as JSON: a later change of these words does not
change a guide already published.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from requests_app.rules.fees import PAGE_BANDS

#: The places of the public side a guide points to; the page links them when they exist.
DIRECTORY_LINKS = ("public:directory", "public:catalogue")
APPLY_LINKS = ("public:apply",)


@dataclass(frozen=True)
class GuideFacts:
    """What the guide says that is the agency's own (the fields of a ``Guide``)."""

    agency_name: str
    office_name: str = ""
    office_address: str = ""
    office_postcode: str = ""
    office_hours: str = ""
    office_phone: str = ""
    office_fax: str = ""
    office_email: str = ""
    online_channel: str = ""
    proactive_scope: str = ""
    proactive_channels: str = ""
    proactive_time_limit: str = ""
    application_notes: str = ""
    reconsideration_organ: str = ""
    court: str = ""
    court_after_reconsideration: str = ""
    supervision_notes: str = ""
    other_notes: str = ""
    #: The address of this site's online application page (``public:apply``), written out so
    #: that a printed guide still tells it; empty when that page is not installed (a path
    #: without the site's address lists the way without the address).
    apply_url: str = ""


@dataclass
class Item:
    """One thing a section shows: ``p`` a paragraph, ``fact`` a label and its value, ``links``
    the public pages named in ``names`` (shown when installed)."""

    kind: str
    text: str = ""
    label: str = ""
    names: list[str] = field(default_factory=list)


@dataclass
class Section:
    heading: str
    items: list[Item] = field(default_factory=list)

    def p(self, text: str) -> None:
        if text.strip():
            self.items.append(Item("p", text.strip()))

    def paragraphs(self, text: str) -> None:
        for line in _lines(text):
            self.p(line)

    def fact(self, label: str, value: str) -> None:
        if value.strip():
            self.items.append(Item("fact", value.strip(), label=label))

    def links(self, names: tuple[str, ...]) -> None:
        self.items.append(Item("links", names=list(names)))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]


def title(agency_name: str) -> str:
    return f"{agency_name}政府信息公开指南"


def default_time_limit(rule: str, working_days: int, hours: int) -> str:
    """The 公开时限 paragraph from the agency's publication rule (DOMAIN §4.2)."""
    if rule == "hours":
        return (
            f"属于主动公开范围的政府信息，本机关自印发之时起{hours}小时内予以公开，"
            "最迟不超过自该政府信息形成或者变更之日起20个工作日（《条例》第二十六条）。"
            "法律、法规对政府信息公开的期限另有规定的，从其规定。"
        )
    return (
        f"属于主动公开范围的政府信息，本机关自该政府信息形成或者变更之日起{working_days}个工作日内"
        "予以公开（《条例》第二十六条）。法律、法规对政府信息公开的期限另有规定的，从其规定。"
    )


DEFAULT_SCOPE = (
    "本机关主动公开《条例》第十九条、第二十条规定的政府信息，包括机构职能、规范性文件、"
    "规划计划、行政许可和行政处罚等行政执法信息、财政预算决算、政府信息公开工作年度报告等。\n"
    "主动公开的政府信息按本机关政府信息公开目录的类别编排，每条信息载明索引号、名称、"
    "发布机构、生成日期和公开日期，可以按类别浏览，也可以按关键词检索。"
)
DEFAULT_CHANNELS = (
    "本机关主动公开的政府信息通过本网站的“公开目录”栏目公开，并视情况通过政府公报、"
    "新闻发布会以及报刊、广播、电视等途径公开（《条例》第二十三条）。"
)


def _fee_paragraphs() -> list[str]:
    pages = "；".join(
        f"{first}页以上的部分每页{price}元"
        if last is None
        else (
            f"{first}—{last}页的部分每页{price}元" if price else f"{last}页以下（含{last}页）不收费"
        )
        for first, last, price in PAGE_BANDS
    )
    return [
        "本机关依申请提供政府信息，不收取费用。但是，申请人申请公开政府信息的数量、频次明显超过"
        "合理范围的，本机关可以收取信息处理费（《条例》第四十二条；《政府信息公开信息处理费管理"
        "办法》，国办函〔2020〕109号）。对同一申请只按下列一种方式计收：",
        "按件计收：同一申请人一个自然月内累计申请10件以下（含10件）的，不收费；11—30件的部分，"
        "每件100元；31件以上的部分，以10件为一档，每增加一档，收费标准提高100元/件。",
        f"按量计收（纸张、电子邮件或者复制电子数据）：{pages}。",
        "收费的，本机关书面告知收费的依据、标准、数额和缴纳方式；申请人自收到收费通知次日起"
        "20个工作日内缴纳，逾期未缴纳的视为放弃申请。从发出收费通知到收到缴费的时间不计算在"
        "答复期限内。对享受最低生活保障等确有经济困难的申请人，可以减免收费。",
    ]


def _remedy_paragraphs(facts: GuideFacts) -> list[str]:
    organ = facts.reconsideration_organ or "本机关的行政复议机关"
    court = facts.court or "有管辖权的人民法院"
    if facts.court_after_reconsideration:
        after = (
            f"向{court}提起行政诉讼（行政复议机关改变原行政行为的，"
            f"向{facts.court_after_reconsideration}提起）"
        )
    else:
        after = "依法向人民法院提起行政诉讼"
    return [
        "对本机关依照《条例》第十四条、第十五条、第十六条作出的不予公开决定（包括部分公开中"
        "不予公开的部分）不服的，应当先申请行政复议（《中华人民共和国行政复议法》第二十三条）："
        f"可以自收到答复之日起六十日内向{organ}申请行政复议；对行政复议决定不服的，"
        f"可以自收到行政复议决定书之日起十五日内{after}。",
        "对本机关作出的其他答复、告知或者处理不服的（包括告知依照有关法律、行政法规的规定办理的，"
        "不予处理、视为放弃申请的告知），可以自收到答复或者告知之日起六十日内"
        f"向{organ}申请行政复议，或者自收到之日起六个月内向{court}提起行政诉讼"
        "（《中华人民共和国行政诉讼法》第四十六条）。",
        "公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政"
        "机关或者政府信息公开工作主管部门投诉、举报（《条例》第五十一条）。",
    ]


def sections(facts: GuideFacts) -> list[Section]:
    """The guide's sections, in order, with the law's words and the agency's facts."""
    intro = Section("")
    intro.p(
        "为了便于公民、法人和其他组织获取本机关的政府信息，根据《中华人民共和国政府信息公开条例》"
        "（以下简称《条例》）第十二条的规定，编制本指南。"
    )

    proactive = Section("一、主动公开")
    proactive.items.append(Item("h", "（一）公开范围和编排体系"))
    proactive.paragraphs(facts.proactive_scope)
    proactive.items.append(Item("h", "（二）公开方式"))
    proactive.paragraphs(facts.proactive_channels)
    proactive.links(DIRECTORY_LINKS)
    proactive.items.append(Item("h", "（三）公开时限"))
    proactive.paragraphs(facts.proactive_time_limit)

    on_request = Section("二、依申请公开")
    on_request.items.append(Item("h", "（一）受理机构"))
    on_request.p(
        "本机关的政府信息公开工作机构负责受理向本机关提出的政府信息公开申请，联系方式如下："
    )
    on_request.fact("名称", facts.office_name)
    on_request.fact("办公地址", facts.office_address)
    on_request.fact("邮政编码", facts.office_postcode)
    on_request.fact("办公时间", facts.office_hours)
    on_request.fact("联系电话", facts.office_phone)
    on_request.fact("传真", facts.office_fax)
    on_request.fact("电子邮箱", facts.office_email)
    on_request.fact("互联网申请渠道", facts.online_channel)

    on_request.items.append(Item("h", "（二）申请方式"))
    on_request.p(
        "申请获取政府信息，应当采用包括信件、数据电文在内的书面形式；采用书面形式确有困难的，"
        "可以口头提出，由受理机构代为填写政府信息公开申请（《条例》第二十九条第一款）。"
    )
    ways = []
    if facts.apply_url:
        # Written out in full (a printed guide has no link); a path alone is not an address.
        address = f"（{facts.apply_url}）" if "://" in facts.apply_url else ""
        # Art. 31(3): an application over the internet is received the day both sides confirm.
        ways.append(
            f"在线申请：通过本网站的“在线申请”栏目{address}填写并提交申请，"
            "以本机关与申请人双方确认之日为收到申请之日（《条例》第三十一条第（三）项）。"
        )
    ways += [
        "当面提交：在办公时间到受理机构提交书面申请。",
        "邮寄：将书面申请寄至受理机构，请在信封上注明“政府信息公开申请”字样。",
    ]
    if facts.online_channel:
        ways.append("互联网：通过上列互联网申请渠道提交。")
    if facts.office_fax:
        ways.append("传真：将书面申请传真至受理机构。")
    for number, way in enumerate(ways, 1):
        on_request.p(f"{number}．{way}")
    if facts.apply_url:
        on_request.links(APPLY_LINKS)
    on_request.p(
        "申请应当包括下列内容（《条例》第二十九条第二款）：（一）申请人的姓名或者名称、身份证明、"
        "联系方式；（二）申请公开的政府信息的名称、文号或者便于本机关查询的其他特征性描述；"
        "（三）申请公开的政府信息的形式要求，包括获取信息的方式、途径。"
    )
    on_request.p(
        "申请内容不明确的，本机关自收到申请之日起7个工作日内一次性告知申请人需要补正的事项和"
        "合理的补正期限；申请人无正当理由逾期不补正的，视为放弃申请（《条例》第三十条）。"
    )
    on_request.paragraphs(facts.application_notes)

    on_request.items.append(Item("h", "（三）收到申请的日期"))
    on_request.p(
        "当面提交的，以提交之日为收到申请之日；邮寄需要签收的，以本机关签收之日为收到申请之日；"
        "以平常信函等无需签收的方式邮寄的，本机关于收到申请的当日与申请人确认，确认之日为收到"
        "申请之日；通过互联网或者传真提交的，以双方确认之日为收到申请之日（《条例》第三十一条）。"
    )

    on_request.items.append(Item("h", "（四）办理时限"))
    on_request.p(
        "能够当场答复的，当场答复；不能当场答复的，本机关自收到申请之日起20个工作日内答复。"
        "需要延长的，经政府信息公开工作机构负责人同意，在原期限届满前告知申请人延长的理由，"
        "延长最多不超过20个工作日（《条例》第三十三条）。"
    )
    on_request.p(
        "以下时间不计算在答复期限内：征求第三方或者其他机关意见的时间（《条例》第三十二条、"
        "第三十四条）；从发出收费通知到收到缴费的时间。申请经补正的，答复期限从收到补正后的申请"
        "之日起重新计算。"
    )
    on_request.p(
        "工作日不含周末和法定节假日；按国务院办公厅每年公布的节假日安排调休上班的周末，计为工作日。"
    )

    on_request.items.append(Item("h", "（五）收费"))
    for line in _fee_paragraphs():
        on_request.p(line)

    remedy = Section("三、监督和救济")
    remedy.fact("行政复议机关", facts.reconsideration_organ)
    remedy.fact("管辖法院", facts.court)
    remedy.fact("复议机关改变原行政行为时的管辖法院", facts.court_after_reconsideration)
    for line in _remedy_paragraphs(facts):
        remedy.p(line)
    remedy.paragraphs(facts.supervision_notes)

    found = [intro, proactive, on_request, remedy]
    if _lines(facts.other_notes):
        other = Section("四、其他事项")
        other.paragraphs(facts.other_notes)
        found.append(other)
    return found


def to_json(found: list[Section]) -> list[dict]:
    """The sections as a published version stores them."""
    return [asdict(section) for section in found]


def from_json(stored: list) -> list[Section]:
    """The sections a published version stored (unknown keys ignored)."""
    result = []
    for section in stored or []:
        items = [
            Item(
                kind=str(item.get("kind", "p")),
                text=str(item.get("text", "")),
                label=str(item.get("label", "")),
                names=[str(name) for name in item.get("names", [])],
            )
            for item in section.get("items", [])
        ]
        result.append(Section(str(section.get("heading", "")), items))
    return result
