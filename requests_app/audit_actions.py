"""What the requests app writes in the audit log (``workflow.audit``): one name per action, with
the Chinese label that the case page, the handling sheet and the case file show."""

from __future__ import annotations

from django.db import models


class RequestAction(models.TextChoices):
    """The ``action`` of an audit event about a case. The values are stored: never rename one."""

    # registration and examination
    REQUEST_REGISTERED = "request_registered", "登记申请"
    # On the case: it was an online application, received the day the registrar confirmed it.
    ONLINE_SUBMISSION_CONFIRMED = "online_submission_confirmed", "确认网上申请"
    DOCUMENTS_UPLOADED = "documents_uploaded", "上传材料"
    REQUEST_ACCEPTED = "request_accepted", "受理"
    REQUEST_CORRECTION_ASKED = "request_correction_asked", "发出补正告知书"
    REQUEST_CORRECTED = "request_corrected", "收到补正后的申请"
    REQUEST_DEEMED_ABANDONED = "request_deemed_abandoned", "视为放弃申请"

    # reasons (Art. 35) and deferral
    REASONS_ASKED = "reasons_asked", "要求说明理由"
    REASONS_ANSWERED = "reasons_answered", "收到申请人说明的理由"
    REASONS_LAPSED = "reasons_lapsed", "逾期未说明理由"
    REASONS_UNREASONABLE = "reasons_unreasonable", "理由不合理，拟不予处理"
    REASONS_REASONABLE = "reasons_reasonable", "理由合理，继续办理"
    DEFERRAL_PROPOSED = "deferral_proposed", "提出延迟答复期限"
    DEFERRAL_APPROVED = "deferral_approved", "批准延迟答复"
    DEFERRAL_REFUSED = "deferral_refused", "不批准延迟答复"

    # consultation and extension
    CONSULTATION_SENT = "consultation_sent", "发出征求意见函"
    CONSULTATION_REPLIED = "consultation_replied", "收到征求意见答复"
    CONSULTATION_CLOSED = "consultation_closed", "征求意见结束"
    EXTENSION_ASKED = "extension_asked", "申请延期"
    EXTENSION_APPROVED = "extension_approved", "批准延期"

    # decision
    DECISION_PROPOSED = "decision_proposed", "提出办理意见"
    DECISION_LEGAL_REVIEWED = "decision_legal_reviewed", "法制审核"
    DECISION_SECRECY_REVIEWED = "decision_secrecy_reviewed", "保密审查"
    DECISION_SECRECY_REFUSED = "decision_secrecy_refused", "保密审查未通过，退回修改"
    DECISION_APPROVED = "decision_approved", "审批同意"
    DECISION_RETURNED = "decision_returned", "退回修改"

    # fee
    FEE_NOTICE_ISSUED = "fee_notice_issued", "发出收费通知"
    FEE_PAID = "fee_paid", "收到信息处理费"
    FEE_WAIVED = "fee_waived", "免收信息处理费"

    # service and closing
    REQUEST_SERVED = "request_served", "送达"
    NOTICE_SERVED = "notice_served", "登记文书送达"
    NOTICE_SERVICE_CORRECTED = "notice_service_corrected", "更正文书送达"
    NOTICE_SERVICE_PRESUMED = "notice_service_presumed", "按告知书日期推定送达（系统升级）"
    # The tracking page as the online platform the applicant chose (issue #16, docs/public.md).
    LETTER_MADE_AVAILABLE = "letter_made_available", "网上送达：文书在申请查询页面提供给申请人"
    REQUEST_WITHDRAWN = "request_withdrawn", "申请人撤回申请"
    REQUEST_ARCHIVED = "request_archived", "归档"

    # tasks and the documents a case names
    TASK_TAKEN = "task_taken", "领取任务"
    DOCUMENT_NAMED = "document_named", "关联申请涉及的文件"
    DOCUMENT_UNNAMED = "document_unnamed", "取消关联文件"
    DETERMINATION_REQUESTED = "determination_requested", "请起草单位认定公开属性"
    DETERMINATION_ANSWERED = "determination_answered", "起草单位认定公开属性"

    # reconsideration and lawsuit (services.challenges)
    CHALLENGE_RECORDED = "challenge_recorded", "登记行政复议、行政诉讼"
    CHALLENGE_UPDATED = "challenge_updated", "更新行政复议、行政诉讼记录"
    CHALLENGE_DOCUMENTS_UPLOADED = "challenge_documents_uploaded", "上传行政复议、行政诉讼材料"
    REQUEST_REOPENED = "request_reopened", "责令重新答复，重新办理"


class ReportAction(models.TextChoices):
    """The ``action`` of an audit event about an annual report or its figures (stored values)."""

    REPORT_DRAFTED = "report_drafted", "创建年度报告草稿"
    REPORT_EDITED = "report_edited", "修改年度报告草稿"
    REPORT_PUBLISHED = "report_published", "发布年度报告"
    FIGURE_ENTERED = "report_figure_entered", "录入年度报告数字"
    FIGURES_IMPORTED = "report_figures_imported", "导入年度报告数字"


class SubmissionAction(models.TextChoices):
    """The ``action`` of an audit event about an online submission (stored values)."""

    SUBMISSION_RECEIVED = "submission_received", "收到网上申请（待确认）"
    SUBMISSION_CONFIRMED = "submission_confirmed", "确认网上申请并登记"
    SUBMISSION_RETURNED = "submission_returned", "退回网上申请"
    # The public tracking page (issue #16): every look, answered or not, with the address.
    TRACKING_VIEWED = "tracking_viewed", "申请人查询"
    TRACKING_FAILED = "tracking_failed", "查询失败"
    # On the submission, not the case: the applicant's own act, kept out of the case's handling
    # steps (办理单); the first download is also kept on the letter (OnlineLetter).
    LETTER_DOWNLOADED = "letter_downloaded", "申请人在查询页面下载文书"
    PROVIDED_DOWNLOADED = "provided_downloaded", "申请人在查询页面下载提供的政府信息"


class GuideAction(models.TextChoices):
    """The ``action`` of an audit event about an agency's guide (stored values)."""

    GUIDE_DRAFTED = "guide_drafted", "创建公开指南草稿"
    GUIDE_EDITED = "guide_edited", "修改公开指南草稿"
    GUIDE_PUBLISHED = "guide_published", "发布公开指南"
