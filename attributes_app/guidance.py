"""What the drafting pages say about each attribute and each legal ground, in plain Chinese.

The codes and articles come from ``attributes_app.rules``; the explanations and examples here are
for drafters who are not lawyers (DOMAIN §4.1; Art. = 《中华人民共和国政府信息公开条例》).
"""

from __future__ import annotations

from dataclasses import dataclass

from attributes_app import rules
from requests_app.rules.outcomes import OUTCOMES


@dataclass(frozen=True)
class AttributeGuide:
    code: str
    label: str
    mark: str
    meaning: str
    needs: str
    examples: str


ATTRIBUTE_GUIDES: list[AttributeGuide] = [
    AttributeGuide(
        rules.PROACTIVE,
        rules.ATTRIBUTE_LABELS[rules.PROACTIVE],
        rules.ATTRIBUTE_MARKS[rules.PROACTIVE],
        "文件印发后由本机关在政府网站等渠道主动向社会公布，任何人都可以查看。"
        "涉及公众利益调整、需要公众广泛知晓或者参与决策的，应当主动公开（《条例》第十九条、第二十条）。",
        "不需要写理由。印发并经保密审查后，须在规定期限内公开；政策性文件还要同时发布政策解读。",
        "行政规范性文件（必须主动公开）、发展规划、财政预决算、行政许可的办理条件和程序、"
        "征收补偿标准、重大建设项目批准和实施情况。",
    ),
    AttributeGuide(
        rules.ON_REQUEST,
        rules.ATTRIBUTE_LABELS[rules.ON_REQUEST],
        rules.ATTRIBUTE_MARKS[rules.ON_REQUEST],
        "不主动向社会公布，有人申请时依照《条例》办理，可以提供。",
        "必须写明不主动公开的理由，并选择法律依据；理由不写或依据不选，不予发文。"
        "属于《条例》第十四条、第十五条情形的应当不予公开，不能标注为依申请公开。"
        "政策性文件拟依申请公开的，先送政务公开工作机构审查。",
        "只涉及特定单位或个人的批复、复函，对某个项目的资金安排通知，不需要公众广泛知晓的工作安排。",
    ),
    AttributeGuide(
        rules.WITHHELD,
        rules.ATTRIBUTE_LABELS[rules.WITHHELD],
        rules.ATTRIBUTE_MARKS[rules.WITHHELD],
        "属于法定不予公开情形的，不主动公开，有人申请时一般也不提供。",
        "必须写明理由，并依据《条例》第十四条、第十五条、第十六条或者其他法律、行政法规；"
        "“不属于应当主动公开的范围”不能作为不予公开的依据。"
        "属于国家秘密的文件不在本系统标注，应依法定密、按涉密文件办理。",
        "本机关内部人事安排、内部工作流程（内部事务信息），讨论记录、过程稿、请示报告（过程性信息），"
        "行政执法案卷，涉及商业秘密或个人隐私且第三方不同意公开的材料。",
    ),
]

#: Examples for each legal ground of a non-proactive attribute (rules.GROUNDS).
GROUND_EXAMPLES: dict[str, str] = {
    "prohibited_by_law": "例如：统计法规定不得公开的统计调查对象资料。",
    "security_stability": "例如：应急处置预案中的警力部署、重要设施的位置和防护细节。",
    "third_party": "例如：企业的投标报价、技术方案，个人的身份证号码、家庭住址、病历。",
    "internal_affairs": "例如：本机关人事任免的内部安排、后勤管理、内部工作流程。",
    rules.PROCESS_INFO: (
        "例如：会议讨论记录、征求意见稿、请示报告；相关决定作出后应重新评估是否公开。"
    ),
    "enforcement_file": "例如：行政处罚、行政检查的案卷材料。",
    rules.OTHER_LAW: (
        "选这一项时，请在下面写明法律、法规的名称和条款，例如《中华人民共和国档案法》第二十七条。"
    ),
    rules.LIMITED_SCOPE: (
        "只能用于依申请公开：文件只涉及特定对象，不需要社会公众广泛知晓，有人申请时可以提供。"
    ),
}


#: The outcome of DOMAIN §3.6 that a request for a document withheld on each ground would
#: normally get (the reply's grounds then match the document's).
GROUND_OUTCOMES: dict[str, str] = {
    "prohibited_by_law": "withheld_prohibited_by_law",
    "security_stability": "withheld_security_stability",
    "third_party": "withheld_third_party",
    "internal_affairs": "withheld_internal_affairs",
    rules.PROCESS_INFO: "withheld_process_info",
    "enforcement_file": "withheld_enforcement_file",
    rules.LIMITED_SCOPE: "disclosed",
}


@dataclass(frozen=True)
class GroundGuide:
    code: str
    label: str
    article: str
    withheld: bool
    on_request: bool
    example: str
    outcome: str  # the label of the matching request outcome, or ""


GROUND_GUIDES: list[GroundGuide] = [
    GroundGuide(
        g.code,
        g.label,
        f"《条例》{g.article}" if g.article else "写明所依据的法律、法规",
        g.withheld,
        g.on_request,
        GROUND_EXAMPLES.get(g.code, ""),
        OUTCOMES[GROUND_OUTCOMES[g.code]].label if g.code in GROUND_OUTCOMES else "",
    )
    for g in rules.GROUNDS.values()
]

#: The choices of a ground pick list: the label with its article.
GROUND_CHOICES = [
    (g.code, f"{g.label}（《条例》{g.article}）" if g.article else g.label)
    for g in rules.GROUNDS.values()
]
