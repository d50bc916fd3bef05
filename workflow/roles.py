"""The roles of DOMAIN §1. Each is a Django group named by its code; the label is for people."""

ROLES: dict[str, str] = {
    "registrar": "登记人员",
    "handler": "承办人",
    "office_head": "政务公开工作机构负责人",
    "legal_reviewer": "法制审核人员",
    "drafter": "拟稿人",
    "drafting_unit_head": "起草单位负责人",
    "secrecy_reviewer": "保密审查人员",
    "admin": "系统管理员",
}

#: Model permissions of the engine each role holds (later apps add their own in migrations).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "admin": [
        "workflow.add_agency",
        "workflow.change_agency",
        "workflow.view_agency",
        "workflow.add_calendaradjustment",
        "workflow.change_calendaradjustment",
        "workflow.delete_calendaradjustment",
        "workflow.view_calendaradjustment",
        "workflow.view_holidayschedule",
        "workflow.add_holidayschedule",
        "workflow.view_auditevent",
    ],
}
