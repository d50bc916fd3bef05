"""Reconsiderations (行政复议) and lawsuits (行政诉讼) about a case, and the new reply one orders.

A record is kept on a case whose handling has ended (the reply served, the request withdrawn or
deemed abandoned, or the case archived): its kind, the organ or court, its number, the filing
date, the applicant's claim, the result and when it came, and the application and the decision
or judgment as uploads. The annual report's table 四 counts them (``requests_app.annual_report``).

A result that corrects the reply by ordering a new one (纠正：责令重新答复) reopens the same case
once the agency's receipt of the decision is recorded: the case goes back to the handler's
proposal with a new clock of the days the decision sets (20 working days unless it says
otherwise) from that receipt, the usual steps and letters follow, and the new reply cites the
decision (``ordered_anew``). The case keeps its number and history; its 办结日期
(``concluded_on``, what table 三 counts) is not touched. The earlier handling (outcome, decision
date, reply letter, service) is kept on the record (``Challenge.earlier``) and in the audit log.

Every change takes the process lock, then the case's row, then the record's; an edit made on a
page older than the record (``version``) is refused, so of two people editing at once exactly
one wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from requests_app import permissions
from requests_app.audit_actions import RequestAction
from requests_app.models import CaseDocument, Challenge, ClockEntry, InformationRequest
from requests_app.process import process_lock, reopen_process
from requests_app.services._common import R, StaleCase, _add_clock, _locked, _move
from requests_app.services.registration import _discard, _keep_uploads
from requests_app.uploads import KIND_LABELS, CheckedFile, check_files
from workflow import text_input as limits
from workflow.actors import Actor
from workflow.audit import audit
from workflow.cn import cn_date
from workflow.errors import NotAllowed

C = Challenge
CORRECTIONS = (
    C.Detail.REVOKED,
    C.Detail.VARIED,
    C.Detail.DECLARED_UNLAWFUL,
    C.Detail.ORDERED_PERFORMANCE,
    C.Detail.ORDERED_NEW_REPLY,
)
OTHER_RESULTS = (C.Detail.DISMISSED, C.Detail.TERMINATED, C.Detail.WITHDRAWN, C.Detail.OTHER)
#: Which details each result allows (upheld and pending take none).
DETAILS_OF = {C.Result.CORRECTED: CORRECTIONS, C.Result.OTHER: OTHER_RESULTS}
DEFAULT_NEW_REPLY_DAYS = 20
MAX_NEW_REPLY_DAYS = 60
#: The stages of a case whose handling has ended: the reply (or the notice of a withdrawal or
#: of a deemed abandonment) is served, before or after the archive.
ENDED_STAGES = (R.Stage.ARCHIVE, R.Stage.CLOSED)
#: What a record's reopening fixed, which no later edit may change.
FIXED_ONCE_REOPENED = (
    "kind",
    "result",
    "detail",
    "concluded_on",
    "decision_received_on",
    "new_reply_days",
)
#: The letters that answer a request (``letter_contexts``: the kinds of ``ReplyContext``).
REPLY_KINDS = ("reply", "reply_notice", "abandoned_notice", "not_processed_notice")
UPLOAD_KINDS = (CaseDocument.Kind.CHALLENGE_APPLICATION, CaseDocument.Kind.CHALLENGE_DECISION)


@dataclass(kw_only=True)
class ChallengeInput:
    """What a person records about a reconsideration or lawsuit (the form's cleaned data)."""

    kind: str
    body: str
    filed_on: date | None
    number: str = ""
    claim: str = ""
    follows_id: int | None = None
    result: str = C.Result.PENDING
    detail: str = ""
    concluded_on: date | None = None
    decision_received_on: date | None = None
    new_reply_days: int | None = None


# -- reads ----------------------------------------------------------------------------------------


def has_ended(case: InformationRequest) -> bool:
    """Whether the handling of ``case`` has ended (served, withdrawn, abandoned or archived), or
    it is being handled again on a decision's order: only then may it be challenged here."""
    if case.stage in ENDED_STAGES or case.concluded_on is not None:
        return True
    return case.challenges.filter(reopened_at__isnull=False).exists()


def reopening_challenge(case: InformationRequest) -> Challenge | None:
    """The record whose decision or judgment last reopened ``case`` (None: never reopened)."""
    return case.challenges.filter(reopened_at__isnull=False).order_by("-reopened_at", "-pk").first()


def decision_words(challenge: Challenge) -> str:
    """What the organ or court decided, as a letter names it: "行政复议决定" or "行政判决"."""
    return "行政复议决定" if challenge.kind == C.Kind.RECONSIDERATION else "行政判决"


def ordered_anew(case: InformationRequest) -> str:
    """The sentence a reply made on a decision's order opens with (empty for a first reply):
    "孝义市人民政府于2026年6月1日作出行政复议决定（孝政复决〔2026〕3号），责令本机关重新答复。"."""
    challenge = reopening_challenge(case)
    if challenge is None:
        return ""
    number = f"（{challenge.number}）" if challenge.number else ""
    when = f"于{cn_date(challenge.concluded_on)}" if challenge.concluded_on else ""
    return f"{challenge.body}{when}作出{decision_words(challenge)}{number}，责令本机关重新答复。"


# -- validation -----------------------------------------------------------------------------------


def _text_problem(value: str, label: str, limit: int, *, required: bool = False) -> str:
    if "\x00" in value:
        return limits.NUL_MESSAGE.format(label=label)
    if required and not value.strip():
        return f"请填写{label}。"
    if len(value) > limit:
        return limits.too_long(label, limit, len(value))
    return ""


def validate_challenge(
    case: InformationRequest,
    data: ChallengeInput,
    *,
    today: date,
    existing: Challenge | None = None,
) -> dict[str, str]:
    """Problems with ``data`` for a record on ``case``, by field (Chinese, naming the field)."""
    errors: dict[str, str] = {}
    if data.kind not in C.Kind.values:
        errors["kind"] = "请选择类别：行政复议、未经复议直接起诉或复议后起诉。"
    for name, label, limit, required in (
        ("body", "复议机关或人民法院", 100, True),
        ("number", "案号", 80, False),
        ("claim", "申请人的请求", limits.REASON, False),
    ):
        problem = _text_problem(getattr(data, name) or "", label, limit, required=required)
        if problem:
            errors[name] = problem
    if data.filed_on is None:
        errors["filed_on"] = "请填写申请或起诉日期。"
    elif data.filed_on > today:
        errors["filed_on"] = f"申请或起诉日期（{cn_date(data.filed_on)}）晚于今天，请核对。"
    elif data.filed_on < case.receipt_date:
        errors["filed_on"] = (
            f"申请或起诉日期（{cn_date(data.filed_on)}）早于本机关收到政府信息公开申请之日"
            f"（{cn_date(case.receipt_date)}），请核对。"
        )
    if data.kind == C.Kind.LAWSUIT_AFTER:
        follows = None
        if data.follows_id is not None:
            follows = case.challenges.filter(
                pk=data.follows_id, kind=C.Kind.RECONSIDERATION
            ).first()
        if follows is None:
            errors["follows"] = "复议后起诉的，请选择本案中此前登记的行政复议。"
        elif data.filed_on and data.filed_on < follows.filed_on:
            errors["filed_on"] = (
                f"起诉日期（{cn_date(data.filed_on)}）早于所针对的行政复议的申请日期"
                f"（{cn_date(follows.filed_on)}），请核对。"
            )
    elif data.follows_id is not None:
        errors["follows"] = "只有复议后起诉才选择所针对的行政复议。"
    errors.update(_result_problems(data, today=today))
    if (
        existing is not None
        and existing.kind == C.Kind.RECONSIDERATION
        and data.kind != C.Kind.RECONSIDERATION
        and existing.lawsuits.exists()
    ):
        errors["kind"] = "已有复议后起诉的记录针对这一行政复议，类别不能改为行政诉讼。"
    if existing is not None and existing.reopened_at is not None:
        values = _values(data)
        for name in FIXED_ONCE_REOPENED:
            if values[name] != getattr(existing, name):
                label = C._meta.get_field(name).verbose_name
                errors[name] = (
                    f"本案已于{cn_date(timezone.localtime(existing.reopened_at).date())}据此记录"
                    f"重新办理，{label}不能再修改。"
                )
    return errors


def _result_problems(data: ChallengeInput, *, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.result not in C.Result.values:
        return {"result": "请选择结果：维持、纠正、其他结果或尚未审结。"}
    allowed = DETAILS_OF.get(data.result, ())
    if allowed and data.detail not in allowed:
        words = "、".join(C.Detail(d).label for d in allowed)
        errors["detail"] = f"{C.Result(data.result).label}的，请选择结果内容：{words}。"
    elif not allowed and data.detail:
        errors["detail"] = f"{C.Result(data.result).label}的，不选择结果内容。"
    if data.result == C.Result.PENDING:
        for name, label in (
            ("concluded_on", "审结日期"),
            ("decision_received_on", "收到决定或判决之日"),
        ):
            if getattr(data, name) is not None:
                errors[name] = f"尚未审结的，不填写{label}。"
        return errors
    concluded = data.concluded_on
    if concluded is None:
        errors["concluded_on"] = "已审结的，请填写审结日期（决定或裁判文书的日期）。"
    elif concluded > today:
        errors["concluded_on"] = f"审结日期（{cn_date(concluded)}）晚于今天，请核对。"
    elif data.filed_on and concluded < data.filed_on:
        errors["concluded_on"] = (
            f"审结日期（{cn_date(concluded)}）早于申请或起诉日期"
            f"（{cn_date(data.filed_on)}），请核对。"
        )
    received = data.decision_received_on
    if data.detail != C.Detail.ORDERED_NEW_REPLY:
        if received is not None:
            errors["decision_received_on"] = "只有责令重新答复的，才填写本机关收到决定或判决之日。"
        if data.new_reply_days is not None:
            errors["new_reply_days"] = "只有责令重新答复的，才填写重新答复期限。"
        return errors
    if received is not None:
        if received > today:
            errors["decision_received_on"] = (
                f"收到决定或判决之日（{cn_date(received)}）晚于今天，请核对。"
            )
        elif concluded is not None and received < concluded:
            errors["decision_received_on"] = (
                f"收到决定或判决之日（{cn_date(received)}）早于审结日期"
                f"（{cn_date(concluded)}），请核对。"
            )
    days = data.new_reply_days
    if days is not None and not 1 <= days <= MAX_NEW_REPLY_DAYS:
        errors["new_reply_days"] = (
            f"重新答复期限应为1至{MAX_NEW_REPLY_DAYS}个工作日（决定未写明的，为20个工作日）。"
        )
    return errors


# -- writes ---------------------------------------------------------------------------------------


def _values(data: ChallengeInput) -> dict[str, Any]:
    values = {f.name: getattr(data, f.name) for f in fields(ChallengeInput)}
    for name in ("body", "number", "claim"):
        values[name] = (values[name] or "").strip()
    if values["detail"] == C.Detail.ORDERED_NEW_REPLY and values["new_reply_days"] is None:
        values["new_reply_days"] = DEFAULT_NEW_REPLY_DAYS
    if values["kind"] != C.Kind.LAWSUIT_AFTER:
        values["follows_id"] = None
    return values


def _shown(name: str, value: Any) -> str:
    """A field's value as the history shows it."""
    if value is None or value == "":
        return "（空）"
    if isinstance(value, date):
        return cn_date(value)
    field = C._meta.get_field(name.removesuffix("_id") if name == "follows_id" else name)
    if field.choices:
        return str(dict(field.choices).get(value, value))
    return str(value)


def _labelled(challenge: Challenge) -> str:
    number = f"（{challenge.number}）" if challenge.number else ""
    return f"{challenge.get_kind_display()}：{challenge.body}{number}"


def _result_words(challenge: Challenge) -> str:
    detail = f"（{challenge.get_detail_display()}）" if challenge.detail else ""
    return f"{challenge.get_result_display()}{detail}"


def _check_uploads(
    application_files: Iterable, decision_files: Iterable
) -> list[tuple[str, list[CheckedFile]]]:
    """The uploads checked by their content before anything is locked (``uploads``)."""
    checked: list[tuple[str, list[CheckedFile]]] = []
    errors: dict[str, list[str]] = {}
    for kind, field, files in (
        (CaseDocument.Kind.CHALLENGE_APPLICATION, "application_files", application_files),
        (CaseDocument.Kind.CHALLENGE_DECISION, "decision_files", decision_files),
    ):
        files = [f for f in files or () if f]
        if not files:
            continue
        try:
            checked.append((kind, check_files(kind, files)))
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    return checked


def _keep(
    case, challenge: Challenge, kind: str, files: list[CheckedFile], *, actor, stored: list[str]
) -> list[CaseDocument]:
    return _keep_uploads(
        case,
        kind,
        files,
        actor=actor,
        title="",
        today=timezone.localdate(),
        stored=stored,
        challenge=challenge,
        about=f"{_labelled(challenge)}，",
    )


def _locked_case(actor: Actor, case_id: int) -> InformationRequest:
    try:
        case = _locked(case_id)
    except InformationRequest.DoesNotExist:
        raise NotAllowed("没有找到这件申请。") from None
    permissions.require(actor, case, "challenge")
    return case


def _precheck(actor: Actor, case_id: int) -> None:
    """The role and the agency, before any uploaded file is read (checked again under lock)."""
    case = InformationRequest.objects.filter(pk=case_id).only("pk", "agency_id").first()
    if case is None:
        raise NotAllowed("没有找到这件申请。")
    permissions.require(actor, case, "challenge")


def _case_id_of(challenge_id: int) -> int:
    case_id = Challenge.objects.filter(pk=challenge_id).values_list("request_id", flat=True).first()
    if case_id is None:
        raise NotAllowed("没有找到这条行政复议、行政诉讼记录。")
    return case_id


def challenge_record(
    *,
    actor: Actor,
    case_id: int,
    data: ChallengeInput,
    application_files: Iterable = (),
    decision_files: Iterable = (),
    today: date | None = None,
) -> Challenge:
    """Record a reconsideration or lawsuit about a case whose handling has ended, with its
    application and decision uploaded; a result ordering a new reply, with the decision's
    receipt, reopens the case (``reopen``). Raises ``ValidationError`` by field, ``NotAllowed``
    (role, other agency) or ``StaleCase`` (the case's handling has not ended)."""
    today = today or timezone.localdate()
    _precheck(actor, case_id)
    uploads = _check_uploads(application_files, decision_files)
    stored: list[str] = []
    try:
        with process_lock(case_id), transaction.atomic():
            case = _locked_case(actor, case_id)
            if not has_ended(case):
                raise StaleCase(
                    f"{case.case_number}尚未办结（现处于“{case.get_stage_display()}”阶段）："
                    "答复送达（或撤回、视为放弃申请的告知送达）后才能登记行政复议、行政诉讼。"
                )
            errors = validate_challenge(case, data, today=today)
            if errors:
                raise ValidationError(errors)
            values = _values(data)
            duplicate = case.challenges.filter(
                kind=values["kind"],
                body=values["body"],
                number=values["number"],
                filed_on=values["filed_on"],
            ).first()
            if duplicate is not None:
                raise ValidationError(
                    f"这条记录已经登记过（{_labelled(duplicate)}，{cn_date(duplicate.filed_on)}），"
                    "请在记录中修改，不要重复登记。"
                )
            challenge = Challenge.objects.create(
                request=case, created_by=actor, created_at=timezone.now(), **values
            )
            audit(
                actor=actor,
                action=RequestAction.CHALLENGE_RECORDED,
                obj=case,
                agency=case.agency,
                from_state=case.stage,
                to_state=case.stage,
                reason=f"{_labelled(challenge)}，{cn_date(challenge.filed_on)}申请或起诉，"
                f"结果：{_result_words(challenge)}",
                data={
                    "challenge_id": challenge.pk,
                    "changes": {
                        name: [None, _shown(name, value)]
                        for name, value in values.items()
                        if value not in (None, "")
                    },
                },
            )
            for kind, files in uploads:
                _keep(case, challenge, kind, files, actor=actor, stored=stored)
            _reopen_if_ordered(case, challenge, actor=actor, today=today)
    except BaseException:
        _discard(stored)
        raise
    return challenge


def challenge_update(
    *,
    actor: Actor,
    challenge_id: int,
    version: int,
    data: ChallengeInput,
    application_files: Iterable = (),
    decision_files: Iterable = (),
    today: date | None = None,
) -> Challenge:
    """Change a record (its result once known, a corrected date...), refused when someone
    changed it since ``version`` was read. Every changed field is audited with its old and new
    value; a result ordering a new reply, with the decision's receipt, reopens the case."""
    today = today or timezone.localdate()
    case_id = _case_id_of(challenge_id)
    _precheck(actor, case_id)
    uploads = _check_uploads(application_files, decision_files)
    stored: list[str] = []
    try:
        with process_lock(case_id), transaction.atomic():
            case = _locked_case(actor, case_id)
            challenge = Challenge.objects.select_for_update().get(pk=challenge_id)
            if challenge.version != version:
                raise StaleCase(
                    f"这条记录（{_labelled(challenge)}）在您打开页面后已由他人修改，"
                    "您的修改没有保存。请刷新页面，看过最新内容后再修改。"
                )
            errors = validate_challenge(case, data, today=today, existing=challenge)
            if errors:
                raise ValidationError(errors)
            values = _values(data)
            changes = {
                name: [_shown(name, getattr(challenge, name)), _shown(name, value)]
                for name, value in values.items()
                if getattr(challenge, name) != value
            }
            before = _result_words(challenge)
            if changes:
                for name, value in values.items():
                    setattr(challenge, name, value)
                challenge.version += 1
                challenge.save()
                after = _result_words(challenge)
                audit(
                    actor=actor,
                    action=RequestAction.CHALLENGE_UPDATED,
                    obj=case,
                    agency=case.agency,
                    from_state=case.stage,
                    to_state=case.stage,
                    reason=f"{_labelled(challenge)}："
                    + "；".join(
                        f"{C._meta.get_field(name.removesuffix('_id')).verbose_name}"
                        f"由{old}改为{new}"
                        for name, (old, new) in changes.items()
                    ),
                    data={
                        "challenge_id": challenge.pk,
                        "changes": changes,
                        "result": [before, after],
                        "version": challenge.version,
                    },
                )
            for kind, files in uploads:
                _keep(case, challenge, kind, files, actor=actor, stored=stored)
            _reopen_if_ordered(case, challenge, actor=actor, today=today)
    except BaseException:
        _discard(stored)
        raise
    return challenge


def challenge_upload(
    *,
    actor: Actor,
    challenge_id: int,
    kind: str,
    files: Iterable,
) -> list[CaseDocument]:
    """Keep the application or the decision or judgment of a record (any stage of the case)."""
    if kind not in UPLOAD_KINDS:
        raise ValidationError({"kind": "请选择材料类别：申请书或起诉状，决定书或裁判文书。"})
    files = [f for f in files or () if f]
    if not files:
        raise ValidationError({"files": f"请选择要上传的{KIND_LABELS[kind]}文件。"})
    case_id = _case_id_of(challenge_id)
    _precheck(actor, case_id)
    try:
        checked = check_files(kind, files)
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None
    stored: list[str] = []
    try:
        with transaction.atomic():
            case = _locked_case(actor, case_id)
            challenge = Challenge.objects.select_for_update().get(pk=challenge_id)
            documents = _keep(case, challenge, kind, checked, actor=actor, stored=stored)
    except BaseException:
        _discard(stored)
        raise
    return documents


# -- reopening (责令重新答复) ----------------------------------------------------------------


def _earlier(case: InformationRequest) -> dict[str, Any]:
    """The handling that ends now, as it stood: kept on the record and in the audit log."""
    decision = getattr(case, "decision", None)
    reply = (
        case.documents.filter(kind=CaseDocument.Kind.LETTER, letter_kind__in=REPLY_KINDS)
        .order_by("-created_at", "-pk")
        .first()
    )
    return {
        "stage": case.stage,
        "outcome": case.outcome,
        "outcome_label": case.get_outcome_display() if case.outcome else "",
        "decided_on": decision.decided_on.isoformat() if decision and decision.decided_on else None,
        "served_on": case.served_on.isoformat() if case.served_on else None,
        "service_method": case.service_method,
        "served_late": case.served_late,
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "due_date": case.due_date.isoformat() if case.due_date else None,
        "reply_letter": (
            {"id": reply.pk, "title": reply.title, "number": reply.number} if reply else None
        ),
    }


def _reopen_if_ordered(case, challenge: Challenge, *, actor: Actor, today: date) -> None:
    if (
        challenge.detail != C.Detail.ORDERED_NEW_REPLY
        or challenge.decision_received_on is None
        or challenge.reopened_at is not None
    ):
        return
    reopen(case, challenge, actor=actor, today=today)


def reopen(case, challenge: Challenge, *, actor: Actor, today: date) -> None:
    """Handle ``case`` again on ``challenge``'s order; call under the process lock and the case's
    row lock. The case goes back to the handler's proposal with a new clock from the decision's
    receipt; ``concluded_on`` is not touched."""
    if case.stage not in ENDED_STAGES:
        raise StaleCase(
            f"{case.case_number}现处于“{case.get_stage_display()}”阶段，正在办理中："
            "答复送达后才能按责令重新答复的决定重新办理。"
        )
    received = challenge.decision_received_on
    last = case.clock_entries.order_by("-on", "-id").values_list("on", flat=True).first()
    if last is not None and received < last:
        raise ValidationError(
            {
                "decision_received_on": (
                    f"收到决定或判决之日（{cn_date(received)}）早于本案此前的答复送达或办结日期"
                    f"（{cn_date(last)}），请核对。"
                )
            }
        )
    earlier = _earlier(case)
    _add_clock(
        case,
        ClockEntry.Kind.REOPEN,
        received,
        actor,
        today=today,
        days=challenge.new_reply_days or DEFAULT_NEW_REPLY_DAYS,
        reason=decision_words(challenge),
        note=f"{_labelled(challenge)}"[:200],
    )
    challenge.reopened_at = timezone.now()
    challenge.earlier = earlier
    challenge.version += 1
    challenge.save(update_fields=["reopened_at", "earlier", "version", "updated_at"])
    case.outcome = ""
    case.served_on = None
    case.service_method = ""
    case.tracking_number = ""
    case.served_late = False
    case.closed_on = None
    case.save(
        update_fields=[
            "outcome",
            "served_on",
            "service_method",
            "tracking_number",
            "served_late",
            "closed_on",
        ]
    )
    _move(
        case,
        R.Stage.PROPOSE,
        actor=actor,
        action=RequestAction.REQUEST_REOPENED,
        reason=f"{ordered_anew(case)}自{cn_date(received)}收到之日起"
        f"{challenge.new_reply_days}个工作日内重新答复",
        today=today,
        data={"challenge_id": challenge.pk, "earlier": earlier},
    )
    reopen_process(case)
