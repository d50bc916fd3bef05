"""State changes of an information request: one service per change (STYLE.md), one module per
step of the procedure.

Each service: one transaction, the case re-read under a row lock, its state checked, the change
made, an audit event written, the stored clock recomputed. Bad input raises ``ValidationError``
with Chinese messages keyed by field; an actor who may not do the step raises ``NotAllowed``; a
state that no longer allows the step raises ``StaleCase`` (a ``Stale``: someone else acted first).

The package re-exports every service, so ``from requests_app.services import request_accept``
works wherever the step's module is. Services use the process (``requests_app.process``) and
never the flow, forms or views above them.
"""

from __future__ import annotations

from requests_app.selectors import pending_notices
from requests_app.services._common import (
    CASE_TYPE,
    OPEN_STAGES,
    StaleCase,
)
from requests_app.services.annual_report import (
    FiguresImport,
    figure_set,
    figures_import_csv,
    report_draft,
    report_publish,
    report_save,
)
from requests_app.services.challenges import (
    ChallengeInput,
    challenge_record,
    challenge_update,
    challenge_upload,
)
from requests_app.services.closing import request_archive, request_withdraw
from requests_app.services.consultation import (
    CONSULTATION_DAYS,
    consultation_lapse,
    consultation_record_reply,
    consultation_send,
)
from requests_app.services.decision import (
    AUTOMATIC_OUTCOMES,
    DISCLOSING_OUTCOMES,
    LAW_NAMING_OUTCOMES,
    Proposal,
    decision_approve,
    decision_propose,
    decision_record_secrecy_review,
    decision_return,
    has_secrecy_reviewer,
    needs_consultation_reason,
    overridden_objections,
    reply_context,
    secrecy_review_of,
    secrecy_review_refusal,
    third_party_objections,
    validate_proposal,
)
from requests_app.services.examination import (
    CORRECTION_WINDOW,
    PURPOSE_WORDS,
    deferral_approve,
    deferral_refuse,
    reasons_decide,
    reasons_lapsed,
    reasons_record_answer,
    request_accept,
    request_ask_correction,
    request_ask_reasons,
    request_correction_lapsed,
    request_record_correction,
)
from requests_app.services.extension import extension_approve, extension_ask
from requests_app.services.fees import (
    PAYMENT_DAYS,
    applications_earlier_this_month,
    fee_lapsed,
    fee_notice,
    fee_paid,
    fee_waive,
)
from requests_app.services.guide import guide_draft, guide_publish, guide_save
from requests_app.services.links import add_case_letter, lock_cases
from requests_app.services.registration import (
    SAME_DAY_CHANNELS,
    DuplicateSubmission,
    PossibleDuplicates,
    Registration,
    format_case_number,
    next_case_number,
    request_register,
    request_upload,
    text_problems,
    validate_registration,
)
from requests_app.services.service import (
    ServiceMethod,
    notice_is_open,
    notice_record_service,
    request_serve,
)
from requests_app.services.submissions import (
    OnlineApplication,
    SubmissionStale,
    submission_confirm,
    submission_create,
    submission_return,
)

__all__ = [
    "AUTOMATIC_OUTCOMES",
    "CASE_TYPE",
    "CONSULTATION_DAYS",
    "CORRECTION_WINDOW",
    "DISCLOSING_OUTCOMES",
    "LAW_NAMING_OUTCOMES",
    "OPEN_STAGES",
    "PAYMENT_DAYS",
    "PURPOSE_WORDS",
    "SAME_DAY_CHANNELS",
    "ChallengeInput",
    "DuplicateSubmission",
    "FiguresImport",
    "OnlineApplication",
    "PossibleDuplicates",
    "Proposal",
    "Registration",
    "ServiceMethod",
    "StaleCase",
    "SubmissionStale",
    "add_case_letter",
    "applications_earlier_this_month",
    "challenge_record",
    "challenge_update",
    "challenge_upload",
    "consultation_lapse",
    "consultation_record_reply",
    "consultation_send",
    "decision_approve",
    "decision_propose",
    "decision_record_secrecy_review",
    "decision_return",
    "deferral_approve",
    "deferral_refuse",
    "extension_approve",
    "extension_ask",
    "fee_lapsed",
    "fee_notice",
    "fee_paid",
    "fee_waive",
    "figure_set",
    "figures_import_csv",
    "format_case_number",
    "guide_draft",
    "guide_publish",
    "guide_save",
    "has_secrecy_reviewer",
    "lock_cases",
    "needs_consultation_reason",
    "next_case_number",
    "notice_is_open",
    "notice_record_service",
    "overridden_objections",
    "pending_notices",
    "reasons_decide",
    "reasons_lapsed",
    "reasons_record_answer",
    "reply_context",
    "report_draft",
    "report_publish",
    "report_save",
    "request_accept",
    "request_archive",
    "request_ask_correction",
    "request_ask_reasons",
    "request_correction_lapsed",
    "request_record_correction",
    "request_register",
    "request_serve",
    "request_upload",
    "request_withdraw",
    "secrecy_review_of",
    "secrecy_review_refusal",
    "submission_confirm",
    "submission_create",
    "submission_return",
    "text_problems",
    "third_party_objections",
    "validate_proposal",
    "validate_registration",
]
