"""Who may do each step of an information request (DOMAIN §1, §3). Services, task lists and pages
read this one table.

Every step needs the actor to work for the case's agency (``Agency.staff``) and to hold one of the
step's roles; the first role is the one whose task list shows the step (``TASK_ROLES``). A step
with no role is open to any of the agency's staff who may read cases (``REQUEST_ROLES``); one
marked ``any_staff`` to all of the agency's staff, and the service checks what else it needs
(each kind of upload's roles; the secrecy reviewer, or the office head).

| step | roles (the first does the task) |
|---|---|
| register | registrar |
| upload, secrecy review | any of the agency's staff (the service checks the rest) |
| accept, ask correction, ask / decide on reasons, consult, extension, propose, fee | handler |
| record correction, reasons answer, fee paid, withdraw | registrar, handler |
| consultation reply | handler, registrar |
| legal review | legal_reviewer |
| approve, deferral, extension approval, fee waiver | office_head |
| return a proposal | office_head, legal_reviewer |
| serve, notice service, archive | registrar |
| reconsideration and lawsuit records (and the reopening they order) | legal_reviewer, office_head |
| annual report: edit the draft, enter figures | handler, office_head |
| annual report: publish | office_head |
| guide: edit the draft, publish | office_head, admin |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workflow.api.clients import client_of
from workflow.errors import NotAllowed
from workflow.roles import REQUEST_ROLES, ROLES, has_role

if TYPE_CHECKING:
    from requests_app.models import InformationRequest
    from workflow.actors import Actor


@dataclass(frozen=True)
class Step:
    label: str
    roles: tuple[str, ...] = ()
    #: Open to all of the agency's staff, whatever their roles: the service decides who may
    #: (the upload rules of each kind of file; the secrecy reviewer, or the office head).
    any_staff: bool = False

    @property
    def task_role(self) -> str:
        return self.roles[0]


_DESK = ("registrar", "handler")

STEPS: dict[str, Step] = {
    "register": Step("登记申请", ("registrar",)),
    "upload": Step("上传材料", any_staff=True),
    "accept": Step("受理", ("handler",)),
    "ask_correction": Step("发出补正告知", ("handler",)),
    "record_correction": Step("登记补正", _DESK),
    "ask_reasons": Step("要求说明理由", ("handler",)),
    "reasons_answer": Step("登记申请人的说明", _DESK),
    "reasons_decide": Step("认定说明理由的结果", ("handler",)),
    "deferral": Step("审批延迟答复", ("office_head",)),
    "consult": Step("征求意见", ("handler",)),
    "consultation_reply": Step("登记征求意见的答复", ("handler", "registrar")),
    "extension_ask": Step("申请延长答复期限", ("handler",)),
    "extension_approve": Step("批准延长答复期限", ("office_head",)),
    "propose": Step("提出办理意见", ("handler",)),
    "legal_review": Step("法制审核", ("legal_reviewer",)),
    "approve": Step("审批", ("office_head",)),
    "secrecy_review": Step("保密审查", any_staff=True),
    "return": Step("退回办理意见", ("office_head", "legal_reviewer")),
    "fee_notice": Step("发出收费通知", ("handler",)),
    "fee_paid": Step("登记缴费", _DESK),
    "fee_waive": Step("减免信息处理费", ("office_head",)),
    "withdraw": Step("登记撤回申请", _DESK),
    "serve": Step("送达", ("registrar",)),
    "notice_service": Step("登记告知书送达", ("registrar",)),
    "archive": Step("归档", ("registrar",)),
    "name_document": Step("关联申请涉及的文件", ("handler", "office_head")),
    # 行政复议、行政诉讼 about a case: recorded, concluded and their documents uploaded; a result
    # ordering a new reply reopens the case (services.challenges).
    "challenge": Step("登记行政复议、行政诉讼", ("legal_reviewer", "office_head")),
    # The annual report (docs/annual-report.md): an agency's, not a case's.
    "report_edit": Step("编辑年度报告草稿、录入年度报告数字", ("handler", "office_head")),
    "report_publish": Step("发布年度报告", ("office_head",)),
    # The agency's 政府信息公开指南 (Art. 12): kept by the disclosure office; the administrator,
    # who keeps the agency's data it starts from, may too.
    "guide_edit": Step("编辑公开指南", ("office_head", "admin")),
    "guide_publish": Step("发布公开指南", ("office_head", "admin")),
}

#: The human tasks of the request process (``flows``) and the step each one is.
TASK_STEPS: dict[str, str] = {
    "accept": "accept",
    "reasons": "reasons_answer",
    "reasons_decide": "reasons_decide",
    "correct": "record_correction",
    "consult": "consult",
    "propose": "propose",
    "fee": "fee_paid",
    "legal_review": "legal_review",
    "approve": "approve",
    "serve": "serve",
    "archive": "archive",
}

#: Which role does each human task (DOMAIN §1, §3.1): the first role of its step.
TASK_ROLES: dict[str, str] = {task: STEPS[step].task_role for task, step in TASK_STEPS.items()}


def works_for(user: Actor, agency_id: int) -> bool:
    """Whether ``user`` is on the staff of the agency (DOMAIN §1: nobody acts for another)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.agencies.filter(pk=agency_id).exists()


def holds_role(user: Actor, step: str) -> bool:
    """The role half of ``step``'s rule: no database query (the user's roles are read once)."""
    if getattr(user, "_gongkai_api_client", None) is not None:
        return False
    rule = STEPS[step]
    if rule.any_staff:
        return True
    return any(has_role(user, role) for role in rule.roles or REQUEST_ROLES)


def refusal(user: Actor, case: InformationRequest, step: str) -> str | None:
    """Why ``user`` may not do ``step`` on ``case`` (Chinese), or None when they may."""
    if client_of(user) is not None:
        # An API client reads cases and submits online applications (requests_app.api); it
        # does no step of a case: those are the officers'.
        return "接口客户端不能办理案件的办理步骤。"
    if not works_for(user, case.agency_id):
        return "您不能办理其他机关的申请。"
    if holds_role(user, step):
        return None
    if not STEPS[step].roles:
        return "您的角色不能办理依申请公开的案件。"
    names = "或".join(ROLES[role] for role in STEPS[step].roles)
    return f"这一步需要由{names}办理。"


def agency_refusal(
    user: Actor, agency_id: int, step: str, *, of_what: str = "年度报告"
) -> str | None:
    """Why ``user`` may not do an agency's ``step`` (the annual report's, the guide's), or None."""
    if client_of(user) is not None:
        return "接口客户端不能办理这一步。"
    if not works_for(user, agency_id):
        return f"您不能办理其他机关的{of_what}。"
    if holds_role(user, step):
        return None
    names = "或".join(ROLES[role] for role in STEPS[step].roles)
    return f"这一步需要由{names}办理。"


def require_agency(actor: Actor, agency_id: int, step: str, *, of_what: str = "年度报告") -> None:
    """Raise ``NotAllowed`` unless ``actor`` may do the agency's ``step``."""
    reason = agency_refusal(actor, agency_id, step, of_what=of_what)
    if reason:
        raise NotAllowed(reason)


def may(user: Actor, case: InformationRequest, step: str) -> bool:
    """Whether the page offers ``step`` to ``user`` (the service checks again): the role first,
    so that the agency is asked only when the role allows it."""
    return holds_role(user, step) and works_for(user, case.agency_id)


def require(actor: Actor, case: InformationRequest, step: str) -> None:
    """Raise ``NotAllowed`` with the reason unless ``actor`` may do ``step`` on ``case``."""
    reason = refusal(actor, case, step)
    if reason:
        raise NotAllowed(reason)
