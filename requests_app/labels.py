"""Chinese labels shared by the case page, the handling sheet and the case file."""

#: Chinese labels of audit actions on a case; an unknown code is shown as it is.
ACTION_LABELS: dict[str, str] = {
    "request_registered": "登记申请",
    "request_accepted": "受理",
    "request_correction_asked": "发出补正告知书",
    "request_corrected": "收到补正后的申请",
    "request_deemed_abandoned": "视为放弃申请",
    "consultation_sent": "发出征求意见函",
    "consultation_replied": "收到征求意见答复",
    "consultation_closed": "征求意见结束",
    "extension_asked": "申请延期",
    "extension_approved": "批准延期",
    "decision_proposed": "提出办理意见",
    "decision_legal_reviewed": "法制审核",
    "decision_approved": "审批同意",
    "decision_returned": "退回修改",
    "request_served": "送达",
    "request_withdrawn": "申请人撤回申请",
    "request_archived": "归档",
    "fee_notice_issued": "发出收费通知",
    "fee_paid": "收到信息处理费",
    "fee_waived": "免收信息处理费",
    "documents_uploaded": "上传材料",
}
