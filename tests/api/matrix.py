"""Every operation of the API, what it needs and how to call it on an object of one's own agency
(``tests/api/test_permission_matrix.py`` checks each one; ``test_schemathesis.py`` draws its
path ids from here). A new operation without a row here fails the matrix test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.seeding import PDF, Seeds

Values = Callable[[Seeds], dict]


def nothing(seeds: Seeds) -> dict:
    return {}


def pdf_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("正文.pdf", PDF, content_type="application/pdf")


@dataclass(frozen=True)
class Entry:
    #: The scope the operation needs; None: public (no token).
    scope: str | None
    #: Path parameters naming objects of ``seeds``' agency.
    path: Values = nothing
    #: A valid JSON body (or form fields with ``multipart``) for an own object.
    body: Values | None = None
    query: Values = nothing
    multipart: bool = False
    #: Statuses a client with the scope gets on its own object (with this body).
    ok: tuple[int, ...] = (200,)
    #: ``If-Match``: read the object first (GET on the same path) and send its ETag.
    if_match: bool = False
    #: How another agency's client is kept out: "404" (the object is not found), "list" (a list
    #: without our objects: ``hidden`` names the seeds' kinds that must not appear), or "none"
    #: (the operation names no object of an agency: it acts on the caller's own).
    other: str = "404"
    hidden: tuple[str, ...] = field(default_factory=tuple)
    #: Other scopes that also grant the operation (``documents:write`` reads documents too).
    also: tuple[str, ...] = field(default_factory=tuple)


#: "METHOD /api/v1/path/{param}/" → Entry.
TABLE: dict[str, Entry] = {}
# -- the calendar (public) -------------------------------------------------------------------
TABLE["GET /api/v1/calendar/day/"] = Entry(
    None, query=lambda s: {"date": "2026-10-01"}, other="none"
)
TABLE["GET /api/v1/calendar/add/"] = Entry(
    None, query=lambda s: {"start": "2026-03-02", "days": 20}, other="none"
)
TABLE["POST /api/v1/calendar/clock/"] = Entry(
    None,
    body=lambda s: {"events": [{"kind": "start", "on": "2026-03-02"}], "today": "2026-03-10"},
    other="none",
)

# -- reference data: the caller's own agency's ------------------------------------------------
TABLE["GET /api/v1/reference/agency/"] = Entry("reference:read", other="none")
TABLE["GET /api/v1/reference/outcomes/"] = Entry("reference:read", other="none")
TABLE["GET /api/v1/reference/request-codes/"] = Entry("reference:read", other="none")
TABLE["GET /api/v1/reference/document-codes/"] = Entry("reference:read", other="none")
TABLE["GET /api/v1/reference/catalogue-items/"] = Entry("reference:read", other="list")
TABLE["GET /api/v1/reference/units/"] = Entry("reference:read", other="list", hidden=("unit",))

# -- requests ---------------------------------------------------------------------------------
TABLE["GET /api/v1/requests/"] = Entry("requests:read", other="list", hidden=("case", "replied"))
TABLE["GET /api/v1/requests/{id}/"] = Entry("requests:read", path=lambda s: {"id": s["case"]})
TABLE["GET /api/v1/requests/{id}/documents/{document_id}/"] = Entry(
    "requests:read", path=lambda s: {"id": s["case"], "document_id": s["upload"]}
)
TABLE["GET /api/v1/requests/{id}/letters/{letter_id}/pdf"] = Entry(
    "requests:read", path=lambda s: {"id": s["replied"], "letter_id": s["reply"]}
)
TABLE["GET /api/v1/requests/{id}/letters/{letter_id}/docx"] = Entry(
    "requests:read", path=lambda s: {"id": s["replied"], "letter_id": s["reply"]}
)

# -- documents (OA) ---------------------------------------------------------------------------
# An OA that pushes documents reads them back: documents:write grants the reads too.
WRITER = ("documents:write",)
TABLE["GET /api/v1/documents/"] = Entry(
    "documents:read", other="list", hidden=("document",), also=WRITER
)
TABLE["GET /api/v1/documents/{id}/"] = Entry(
    "documents:read", path=lambda s: {"id": s["document"]}, also=WRITER
)
TABLE["GET /api/v1/documents/{id}/history/"] = Entry(
    "documents:read", path=lambda s: {"id": s["document"]}, also=WRITER
)
TABLE["PUT /api/v1/documents/{id}/text/"] = Entry(
    "documents:write",
    path=lambda s: {"id": s["document"]},
    body=lambda s: {"file": pdf_upload()},
    multipart=True,
)
# A batch names no object of an agency in its path: each item is pushed into the caller's own.
TABLE["POST /api/v1/documents/batch/"] = Entry(
    "documents:write",
    body=lambda s: {
        "documents": [
            {
                "external_id": "OA-BATCH-1",
                "title": "关于印发城区停车管理办法的通知",
                "drafting_unit_id": s["unit"],
                "kind": "other",
            }
        ]
    },
    other="none",
)
TABLE["GET /api/v1/documents/external/{external_id}/"] = Entry(
    "documents:read", path=lambda s: {"external_id": s["external_id"]}, also=WRITER
)
# Another agency's client pushing the same external id registers a document of its own.
TABLE["PUT /api/v1/documents/external/{external_id}/"] = Entry(
    "documents:write",
    path=lambda s: {"external_id": s["external_id"]},
    body=lambda s: {"title": "关于做好2026年城区老旧小区改造工作的通知（修订）"},
    if_match=True,
    other="none",
)

# -- webhooks: the caller's own endpoints -----------------------------------------------------
TABLE["GET /api/v1/webhooks/"] = Entry("webhooks:manage", other="list", hidden=("webhook",))
TABLE["POST /api/v1/webhooks/"] = Entry(
    "webhooks:manage",
    body=lambda s: {"url": "https://oa.example.invalid/gongkai/events", "events": []},
    ok=(201,),
    other="none",
)
TABLE["GET /api/v1/webhooks/{id}/"] = Entry("webhooks:manage", path=lambda s: {"id": s["webhook"]})
TABLE["DELETE /api/v1/webhooks/{id}/"] = Entry(
    "webhooks:manage", path=lambda s: {"id": s["webhook"]}, ok=(204,)
)
TABLE["GET /api/v1/webhooks/{id}/deliveries/"] = Entry(
    "webhooks:manage", path=lambda s: {"id": s["webhook"]}
)
TABLE["POST /api/v1/webhooks/{id}/ping/"] = Entry(
    "webhooks:manage", path=lambda s: {"id": s["webhook"]}, ok=(202,)
)

# -- online submissions (待确认 until a registrar confirms them, Art. 31(3)) --------------------
TABLE["POST /api/v1/submissions/"] = Entry(
    "requests:write",
    body=lambda s: {
        "applicant_kind": "person",
        "applicant_name": "赵强",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "phone": "13700000000",
        "description": "2025年城区停车场收费标准的批复文件",
        "form_wanted": "electronic",
        "delivery": "online",
    },
    ok=(201,),
    other="none",
)
# A portal that submits reads back what it submitted: requests:write grants these reads too.
PORTAL = ("requests:write",)
TABLE["GET /api/v1/submissions/"] = Entry(
    "requests:read", other="list", hidden=("submission",), also=PORTAL
)
TABLE["GET /api/v1/submissions/{id}/"] = Entry(
    "requests:read", path=lambda s: {"id": s["submission"]}, also=PORTAL
)

# -- publication (the website's CMS) ----------------------------------------------------------
CMS = ("publication:write",)
TABLE["GET /api/v1/publications/"] = Entry(
    "documents:read", other="list", hidden=("publishable", "published", "policy"), also=CMS
)
TABLE["GET /api/v1/documents/{document_id}/publication/"] = Entry(
    "documents:read", path=lambda s: {"document_id": s["publishable"]}, also=CMS
)
TABLE["POST /api/v1/documents/{document_id}/publication/"] = Entry(
    "publication:write",
    path=lambda s: {"document_id": s["publishable"]},
    body=lambda s: {"url": "https://www.example.gov.cn/zwgk/2026/9.html", "channel": "portal"},
    ok=(201,),
)
TABLE["POST /api/v1/documents/{document_id}/publication/withdrawal/"] = Entry(
    "publication:write",
    path=lambda s: {"document_id": s["published"]},
    body=lambda s: {"reason": "发布的文本有误，撤下更正"},
    ok=(201,),
)
TABLE["POST /api/v1/documents/{document_id}/interpretation/"] = Entry(
    "publication:write",
    path=lambda s: {"document_id": s["policy"]},
    body=lambda s: {
        "title": "《城区老旧小区改造实施办法》政策解读",
        "url": "https://www.example.gov.cn/zwgk/2026/jd.html",
    },
    ok=(201,),
)
