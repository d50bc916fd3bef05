"""The documents of the agency's register that a request names (DOMAIN §4.3, §4.4).

The handler picks them on the case page or in the accept and propose tasks. A named document
without an attribute opens a **determination** for its drafting unit: the case cannot be proposed
until every such document has one (the unit answers by letter, ``attributes_app.determinations``).
The Regulation gives no pause for this, so the reply period keeps running; the case page says so.

A named document that was transferred to the archives needs no determination: the reply tells the
applicant to apply under the Archives Law (``ReplyContext.archived``).

The links themselves are the attributes layer's (``DocumentRequestLink``, written by its
services); they are what the yearly review counts for Art. 44.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from attributes_app import rules
from attributes_app.models import ArchiveTransfer, Document, DocumentRequestLink
from attributes_app.services import StaleDocument, document_link_request, document_unlink_request
from requests_app.letter_contexts import ArchivedDocument
from requests_app.models import InformationRequest
from requests_app.selectors import require_request_role, visible_requests
from requests_app.services import StaleCase, _locked, _require, _require_stage
from workflow.audit import audit
from workflow.cn import cn_date
from workflow.roles import has_role

R = InformationRequest

#: While the case is examined and before a decision is proposed, the handler may change the
#: documents it names (after a return from approval the case is at ``propose`` again).
NAMING_STAGES = (R.Stage.ACCEPT, R.Stage.CORRECT, R.Stage.CONSULT, R.Stage.PROPOSE, R.Stage.FEE)
NAMING_ROLES = ("handler", "office_head")
PICKER_LIMIT = 20


@dataclass(frozen=True)
class NamedDocument:
    """One document a case names, as the case page shows it."""

    document: Document
    link: DocumentRequestLink
    archive: ArchiveTransfer | None

    @property
    def waiting(self) -> bool:
        """A determination by the drafting unit is still due (DOMAIN §4.4)."""
        return needs_determination(self.document, self.archive)

    @property
    def exportable(self) -> bool:
        """Its final text can be given out with its attribute mark (``attributes_app.exports``)."""
        return bool(self.document.file) and self.document.attribute_state in rules.CONFIRMED_STATES

    @property
    def attribute_label(self) -> str:
        return rules.ATTRIBUTE_LABELS.get(self.document.attribute, "")

    @property
    def state_label(self) -> str:
        document = self.document
        if self.archive is not None:
            return f"已于{cn_date(self.archive.transferred_on)}移交{self.archive.archive_name}"
        if not document.is_issued and document.attribute_state != rules.CLASSIFIED:
            return "文稿，尚未印发"
        if self.waiting:
            return f"未确定公开属性，待{document.drafting_unit.name}认定"
        return document.get_attribute_state_display()


def needs_determination(document: Document, archive: ArchiveTransfer | None = None) -> bool:
    """An issued document without attribute, still held by the agency, needs a determination.

    Drafts get theirs when approved (签发); transferred documents are used under the Archives
    Law; classified ones left the system.
    """
    return document.attribute_state == rules.UNDETERMINED and document.is_issued and archive is None


def named_documents(case: InformationRequest) -> list[NamedDocument]:
    """The documents ``case`` names, in the order they were named."""
    links = (
        DocumentRequestLink.objects.filter(request=case, document__agency_id=case.agency_id)
        .select_related(
            "document", "document__drafting_unit", "document__archive_transfer", "created_by"
        )
        .order_by("created_at", "pk")
    )
    return [NamedDocument(link.document, link, link.document.archived) for link in links]


def pending_determinations(case: InformationRequest) -> list[Document]:
    """The named documents whose determination is still due."""
    return [named.document for named in named_documents(case) if named.waiting]


def determination_block(case: InformationRequest) -> str | None:
    """Why ``case`` cannot be proposed yet (determinations due), or None."""
    pending = pending_determinations(case)
    if not pending:
        return None
    names = "、".join(f"《{d.title}》（{d.drafting_unit.name}）" for d in pending)
    return (
        f"申请涉及的{names}未确定公开属性，须由起草单位以公函认定公开属性后，才能提出办理意见。"
        "认定期间答复期限照常计算（《条例》未规定认定期间暂停计时），请督促起草单位及时认定。"
    )


def require_determinations_answered(case: InformationRequest) -> None:
    """Refuse (``ValidationError``) while a named document waits for its determination."""
    block = determination_block(case)
    if block:
        raise ValidationError(block)


def archived_for_letter(case: InformationRequest) -> list[ArchivedDocument]:
    """The named documents transferred to the archives, for the reply's Archives Law paragraph."""
    return [
        ArchivedDocument(
            title=named.document.title,
            number=named.document.number,
            transferred_on=named.archive.transferred_on,
            archive_name=named.archive.archive_name,
        )
        for named in named_documents(case)
        if named.archive is not None
    ]


def register_matches(case: InformationRequest, q: str) -> QuerySet[Document]:
    """Documents of the case's agency matching ``q`` (title or number) that the case does not
    name yet: issued ones, or classified ones (a request may concern a state secret)."""
    q = (q or "").strip()
    if not q:
        return Document.objects.none()
    return (
        Document.objects.filter(agency_id=case.agency_id)
        .filter(Q(issued_on__isnull=False) | Q(attribute_state=rules.CLASSIFIED))
        .filter(Q(title__icontains=q) | Q(number__icontains=q))
        .exclude(request_links__request=case)
        .select_related("drafting_unit")
        .order_by("-issued_on", "-id")[:PICKER_LIMIT]
    )


def may_name(user, case: InformationRequest) -> bool:
    """Whether the page offers ``user`` to change the documents ``case`` names (services
    re-check)."""
    return case.stage in NAMING_STAGES and any(has_role(user, role) for role in NAMING_ROLES)


# -- services ---------------------------------------------------------------------------------


def _locked_case(actor, case_id: int, doing: str) -> InformationRequest:
    try:
        case = _locked(case_id)
    except InformationRequest.DoesNotExist:
        raise ValidationError("没有找到这件申请。") from None
    _require(actor, case, *NAMING_ROLES)
    _require_stage(case, NAMING_STAGES, doing)
    return case


def request_name_document(*, actor, case_id: int, document_id: int) -> DocumentRequestLink:
    """Record that the request concerns a document of the agency's register.

    A document without attribute opens its drafting unit's determination (the case's history
    says so); a draft cannot be named (it is not government information issued yet).
    """
    with transaction.atomic():
        case = _locked_case(actor, case_id, "关联涉及的文件")
        document = Document.objects.filter(pk=document_id, agency_id=case.agency_id).first()
        if document is None:
            raise ValidationError({"document_id": "请从本机关的文件台账中选择文件。"})
        if not document.is_issued and document.attribute_state != rules.CLASSIFIED:
            raise ValidationError(
                {"document_id": f"《{document.title}》尚未印发，是文稿，不能作为申请涉及的文件。"}
            )
        try:
            link = document_link_request(actor=actor, document_id=document.pk, request_id=case.pk)
        except StaleDocument as error:
            raise ValidationError(str(error)) from None
        audit(
            actor=actor,
            action="document_named",
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=f"申请涉及《{document.title}》"
            + (f"（{document.number}）" if document.number else ""),
            data={"document_id": document.pk},
        )
        archive = document.archived
        if needs_determination(document, archive):
            audit(
                actor=actor,
                action="determination_requested",
                obj=case,
                agency=case.agency,
                from_state=case.stage,
                to_state=case.stage,
                reason=(
                    f"《{document.title}》未确定公开属性，请{document.drafting_unit.name}以公函认定；"
                    "认定期间答复期限照常计算"
                ),
                data={"document_id": document.pk, "unit_id": document.drafting_unit_id},
            )
    return link


def request_unname_document(*, actor, case_id: int, document_id: int) -> None:
    """Remove a document named by mistake (a determination it opened is no longer waited for)."""
    with transaction.atomic():
        case = _locked_case(actor, case_id, "取消关联文件")
        document = Document.objects.filter(pk=document_id, agency_id=case.agency_id).first()
        if document is None:
            raise ValidationError("没有找到这份文件。")
        try:
            document_unlink_request(actor=actor, document_id=document.pk, request_id=case.pk)
        except StaleDocument as error:
            raise ValidationError(str(error)) from None
        audit(
            actor=actor,
            action="document_unnamed",
            obj=case,
            agency=case.agency,
            from_state=case.stage,
            to_state=case.stage,
            reason=f"取消关联《{document.title}》",
            data={"document_id": document.pk},
        )


# -- views ------------------------------------------------------------------------------------


def _back(request, case: InformationRequest) -> str:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("requests:cases:detail", args=[case.pk])
    return target.split("#", 1)[0] + "#named-documents"


def _run(request, pk: int, call, done: str):
    require_request_role(request.user)
    case = get_object_or_404(visible_requests(request.user), pk=pk)
    try:
        document_id = int(request.POST.get("document_id", ""))
    except ValueError:
        messages.error(request, "请从本机关的文件台账中选择文件。")
        return HttpResponseRedirect(_back(request, case))
    try:
        call(actor=request.user, case_id=case.pk, document_id=document_id)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    except (PermissionError, StaleCase) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return HttpResponseRedirect(_back(request, case))


@login_required
@require_POST
def name_document(request, pk: int):
    """Name a document of the register (the case page's and tasks' picker)."""
    return _run(request, pk, request_name_document, "已关联申请涉及的文件。")


@login_required
@require_POST
def unname_document(request, pk: int):
    return _run(request, pk, request_unname_document, "已取消关联。")


__all__ = [
    "NAMING_STAGES",
    "NamedDocument",
    "archived_for_letter",
    "determination_block",
    "may_name",
    "name_document",
    "named_documents",
    "needs_determination",
    "pending_determinations",
    "register_matches",
    "request_name_document",
    "request_unname_document",
    "require_determinations_answered",
    "unname_document",
]
