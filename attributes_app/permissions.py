"""Who may do what with documents and their attributes (DOMAIN §1, §4). Services call this.

Every action needs the user to work for the document's agency (``Agency.staff``). Then one of:
- an *agency role*: the role is enough for every document of the agency;
- a *unit role*: the role, and membership of the document's drafting unit (members or heads);
- a *head role*: the role, and being a head of the document's drafting unit.

| action | agency roles | unit roles | head roles |
|---|---|---|---|
| register a document | office_head (older documents of any unit) | drafter, drafting_unit_head | |
| import older documents from a spreadsheet | office_head | | |
| edit a draft | | drafter, drafting_unit_head | |
| attach the final text | office_head | drafter, drafting_unit_head | |
| propose the attribute | | drafter | |
| disclosure-office review (policy document, non-proactive) | office_head | | |
| confirm at approval (签发), or return | | | drafting_unit_head |
| issue (印发) | office_head | drafter, drafting_unit_head | |
| secrecy review; classify (转为涉密) | secrecy_reviewer | | |
| record publication and interpretation | office_head | drafter, drafting_unit_head | |
| withdraw a publication (the page taken down) | office_head | drafter, drafting_unit_head | |
| validity; process decision made | legal_reviewer | drafter, drafting_unit_head | |
| determination (公函, DOMAIN §4.4) | | | drafting_unit_head |
| link a request to a document | handler, office_head | | |
| record a transfer to the archives | office_head | drafter, drafting_unit_head | |
| yearly review: open, decide, close | legal_reviewer | | |
| yearly review: propose keep/change | | drafter, drafting_unit_head | |
| drafting units and their members | admin | | |
| catalogue of disclosure items | admin, office_head | | |

The disclosure office (政务公开工作机构) is the ``office_head`` role; the legal office that runs the
yearly review is ``legal_reviewer``.

An API client (``workflow.api``) holds no role: it may do the actions its scopes name
(``API_SCOPES``) for any unit of its own agency, and nothing else. The OA system relays what its
drafters and unit heads decided there (register, propose, 签发, 印发); the website's CMS records
publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workflow.api.clients import client_of
from workflow.errors import NotAllowed
from workflow.roles import ROLES, has_role

if TYPE_CHECKING:
    from attributes_app.models import DraftingUnit
    from workflow.actors import Actor
    from workflow.models import Agency, ApiClient


@dataclass(frozen=True)
class Action:
    label: str
    agency: tuple[str, ...] = ()
    unit: tuple[str, ...] = ()
    head: tuple[str, ...] = ()


_UNIT = ("drafter", "drafting_unit_head")

ACTIONS: dict[str, Action] = {
    "register": Action("登记文件", agency=("office_head",), unit=_UNIT),
    "import_older": Action("从表格导入已印发的文件", agency=("office_head",)),
    "update": Action("修改文件", unit=_UNIT),
    "attach_text": Action("上传正式文本", agency=("office_head",), unit=_UNIT),
    "propose": Action("提出公开属性建议", unit=("drafter",)),
    "office_review": Action("审查政策性文件的公开属性", agency=("office_head",)),
    "confirm": Action("确认公开属性", head=("drafting_unit_head",)),
    "return": Action("退回公开属性建议", head=("drafting_unit_head",)),
    "issue": Action("登记印发", agency=("office_head",), unit=_UNIT),
    "secrecy_review": Action("保密审查", agency=("secrecy_reviewer",)),
    "classify": Action("转为涉密文件", agency=("secrecy_reviewer",)),
    "publish": Action("登记主动公开", agency=("office_head",), unit=_UNIT),
    "interpretation": Action("登记政策解读", agency=("office_head",), unit=_UNIT),
    "withdraw_publication": Action("撤下公开页面", agency=("office_head",), unit=_UNIT),
    "validity": Action("登记效力状态", agency=("legal_reviewer",), unit=_UNIT),
    "process_decision": Action("登记过程性信息所涉决定", agency=("legal_reviewer",), unit=_UNIT),
    "determine": Action("认定公开属性", head=("drafting_unit_head",)),
    "link_request": Action("关联申请与文件", agency=("handler", "office_head")),
    "archive_transfer": Action("登记移交档案馆", agency=("office_head",), unit=_UNIT),
    "review_open": Action("启动年度复核", agency=("legal_reviewer",)),
    "review_propose": Action("提出复核意见", unit=_UNIT),
    "review_decide": Action("作出复核决定", agency=("legal_reviewer",)),
    "review_close": Action("结束年度复核", agency=("legal_reviewer",)),
    "manage_units": Action("管理起草单位", agency=("admin",)),
    "manage_catalogue": Action("管理公开事项目录", agency=("admin", "office_head")),
}


#: What an API client may do, by the scope it needs.
API_SCOPES: dict[str, str] = {
    "register": "documents:write",
    "update": "documents:write",
    "attach_text": "documents:write",
    "propose": "documents:write",
    "confirm": "documents:write",
    "return": "documents:write",
    "issue": "documents:write",
    "publish": "publication:write",
    "interpretation": "publication:write",
    "withdraw_publication": "publication:write",
}


def _client_problem(client: ApiClient, action: str, agency: Agency) -> str:
    """Why the API ``client`` may not do ``action`` for ``agency`` ("" when it may)."""
    if client.agency_id != agency.pk:
        return f"接口客户端不属于{agency.name}，不能办理其文件。"
    scope = API_SCOPES.get(action)
    if scope is None:
        return f"“{ACTIONS[action].label}”不能通过接口办理。"
    if scope not in client.scopes:
        return f"接口客户端没有“{scope}”权限，不能{ACTIONS[action].label}。"
    return ""


def works_for(user: Actor, agency: Agency) -> bool:
    """Whether ``user`` acts for ``agency`` (DOMAIN §1: nobody sees another agency's data)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return agency.staff.filter(pk=user.pk).exists()


def is_unit_member(user: Actor, unit: DraftingUnit) -> bool:
    if getattr(user, "_gongkai_api_client", None) is not None:
        return False  # an API client's user is in no unit (read without a query)
    return unit.members.filter(pk=user.pk).exists() or is_unit_head(user, unit)


def is_unit_head(user: Actor, unit: DraftingUnit) -> bool:
    return unit.heads.filter(pk=user.pk).exists()


def _names(roles: tuple[str, ...]) -> str:
    return "或".join(ROLES[r] for r in roles)


def problem(
    user: Actor, action: str, *, agency: Agency, unit: DraftingUnit | None = None
) -> str | None:
    """Why ``user`` may not do ``action`` for ``agency`` (and the drafting ``unit``), or None."""
    rule = ACTIONS[action]
    client = client_of(user)
    if client is not None:
        return _client_problem(client, action, agency) or None
    if not works_for(user, agency):
        return f"您不是{agency.name}的工作人员，不能办理其文件。"
    if any(has_role(user, role) for role in rule.agency):
        return None
    if unit is not None:
        if any(has_role(user, r) for r in rule.unit) and is_unit_member(user, unit):
            return None
        if any(has_role(user, r) for r in rule.head) and is_unit_head(user, unit):
            return None
    parts = []
    if rule.agency:
        parts.append(_names(rule.agency))
    if rule.unit:
        parts.append(f"{unit.name if unit else '起草单位'}的{_names(rule.unit)}")
    if rule.head:
        parts.append(f"{unit.name if unit else '起草单位'}的{_names(rule.head)}")
    return f"“{rule.label}”需要由" + "或".join(parts) + "办理。"


def require(user: Actor, action: str, *, agency: Agency, unit: DraftingUnit | None = None) -> None:
    """Raise ``NotAllowed`` with the reason when ``user`` may not do ``action``."""
    reason = problem(user, action, agency=agency, unit=unit)
    if reason:
        raise NotAllowed(reason)


def can(user: Actor, action: str, *, agency: Agency, unit: DraftingUnit | None = None) -> bool:
    return problem(user, action, agency=agency, unit=unit) is None
