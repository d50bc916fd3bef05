"""Objects for the API's generated and matrix tests, made with the real services as officers make
them: for an agency, a case at each point the endpoints read (registered; replied with its
letter), an upload, a document with its attribute, a publication …, and a client of that agency
holding every scope. ``seed(agency)`` returns their ids (``Seeds``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from requests_app.services import Registration, request_register

DAY = date(2026, 3, 2)  # a Monday


@dataclass
class Seeds:
    agency_id: int
    token: str = ""
    #: kind → object id (``case``, ``letter`` …), for path parameters and bodies.
    ids: dict[str, object] = field(default_factory=dict)

    def __getitem__(self, kind: str):
        return self.ids[kind]


def persona(agency, username: str, role: str):
    user = get_user_model().objects.create_user(username=f"{username}-{agency.code}", password="pw")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    agency.staff.add(user)
    return user


def registration(**changes) -> Registration:
    values = {
        "channel": "in_person",
        "arrival_date": DAY,
        "receipt_date": DAY,
        "applicant_kind": "person",
        "applicant_name": "张明华",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13800000000",
        "description": "2025年城区老旧小区改造项目的资金拨付明细",
        "form_wanted": "electronic",
        "delivery": "email",
        "email": "zhang@example.com",
    }
    values.update(changes)
    return Registration(**values)


def seed(agency, *, superuser) -> Seeds:
    """Every kind of object the endpoints address, in ``agency``, and a client with every scope."""
    from workflow.api.clients import ClientData, client_create
    from workflow.api.scopes import SCOPES

    registrar = persona(agency, "registrar", "registrar")
    case = request_register(actor=registrar, agency=agency, data=registration(), today=DAY)
    _, token = client_create(
        actor=superuser,
        agency=agency,
        data=ClientData(name="测试系统", system_code="test", scopes=list(SCOPES), rate=100_000),
    )
    return Seeds(agency_id=agency.pk, token=token, ids={"case": case.pk})
