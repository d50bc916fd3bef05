"""What an API client may do: its scopes, each a code and what it means to the administrator."""

from __future__ import annotations

SCOPES: dict[str, str] = {
    "requests:read": "读取依申请公开案件（列表、详情、期限、告知书）",
    "requests:write": "提交网上申请（进入“网上申请待确认”，由登记人员确认后登记）",
    "documents:read": "读取文件登记簿（文件、公开属性及其变更记录）",
    "documents:write": "推送文件（登记、修改、提出公开属性建议、签发、印发、上传正式文本）",
    "publication:write": "登记主动公开和撤下公开（网站内容管理系统）",
    "reference:read": "读取机关、起草单位、公开事项目录、办理结果代码",
    "webhooks:manage": "登记接收事件通知的地址",
}

SCOPE_CHOICES = list(SCOPES.items())
