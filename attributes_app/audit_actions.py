"""The audit actions of documents and yearly reviews, with the Chinese labels timelines show:
one list, like Zulip's ``AuditLogEventType``. A service records a member, never a free string.

An attribute transition ``name`` of the state machine is recorded as ``attribute_<name>``.
"""

from django.db import models


class AuditAction(models.TextChoices):
    DRAFTING_UNIT_SAVED = "drafting_unit_saved", "保存起草单位"
    CATALOGUE_ITEM_SAVED = "catalogue_item_saved", "保存公开事项"
    CATALOGUE_ITEM_DELETED = "catalogue_item_deleted", "删除公开事项"
    CATALOGUE_IMPORTED = "catalogue_imported", "从表格导入公开事项目录"
    CATALOGUE_PUBLISHED = "catalogue_published", "发布公开事项目录"
    DOCUMENT_REGISTERED = "document_registered", "登记文件"
    OLDER_DOCUMENTS_IMPORTED = "older_documents_imported", "从表格导入已印发的文件"
    DOCUMENT_UPDATED = "document_updated", "修改文件"
    DOCUMENT_TEXT_ATTACHED = "document_text_attached", "上传正式文本"
    DOCUMENT_INTERPRETATION_ATTACHED = "document_interpretation_attached", "上传政策解读材料"
    ATTRIBUTE_PROPOSE = "attribute_propose", "提出公开属性建议"
    ATTRIBUTE_OFFICE_APPROVE = "attribute_office_approve", "政务公开工作机构审查同意"
    ATTRIBUTE_OFFICE_RETURN = "attribute_office_return", "政务公开工作机构退回"
    ATTRIBUTE_CONFIRM = "attribute_confirm", "起草单位负责人确认公开属性"
    ATTRIBUTE_SEND_BACK = "attribute_send_back", "起草单位负责人退回"
    ATTRIBUTE_PUBLISH = "attribute_publish", "主动公开"
    ATTRIBUTE_WITHDRAW = "attribute_withdraw", "撤下公开页面（待重新公开）"
    ATTRIBUTE_REVIEW_CHANGE = "attribute_review_change", "年度复核变更公开属性"
    ATTRIBUTE_DETERMINE = "attribute_determine", "认定公开属性"
    ATTRIBUTE_CLASSIFY = "attribute_classify", "转为涉密文件"
    DOCUMENT_ISSUED = "document_issued", "印发"
    DOCUMENT_ISSUE_REFUSED = "document_issue_refused", "不予发文"
    SECRECY_REVIEWED = "secrecy_reviewed", "保密审查"
    INTERPRETATION_PUBLISHED = "interpretation_published", "政策解读公开"
    DOCUMENT_VALIDITY_CHANGED = "document_validity_changed", "变更效力状态"
    PROCESS_DECISION_RECORDED = "process_decision_recorded", "登记过程性信息所涉决定"
    DOCUMENT_LINKED_TO_REQUEST = "document_linked_to_request", "关联政府信息公开申请"
    DOCUMENT_UNLINKED_FROM_REQUEST = "document_unlinked_from_request", "取消关联申请"
    DOCUMENT_ARCHIVE_TRANSFER = "document_archive_transfer", "登记移交档案馆"
    DOCUMENT_ARCHIVE_TRANSFER_CANCELLED = (
        "document_archive_transfer_cancelled",
        "取消移交档案馆的记录",
    )
    REVIEW_OPENED = "review_opened", "启动年度复核"
    REVIEW_ITEM_PROPOSED = "review_item_proposed", "起草单位提出复核意见"
    REVIEW_ITEM_DECIDED = "review_item_decided", "作出复核决定"
    REVIEW_CLOSED = "review_closed", "结束年度复核"
