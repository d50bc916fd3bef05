"""Background jobs of the attributes side (``workflow.jobs``): opening a yearly review over every
on-request and withheld document of an agency, deciding thousands of items at once, and
importing older documents from a spreadsheet.

Each handler calls one service, which runs in one transaction: a job that fails changes nothing.
A refusal (``NotAllowed``, ``StaleReview``) fails the job with the service's message.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.urls import reverse

from attributes_app import older_uploads
from attributes_app.older_import import ImportRefused, older_documents_import
from attributes_app.services import (
    ReviewDecision,
    StaleReview,
    review_decide_bulk,
    review_open,
)
from workflow.actors import Actor
from workflow.errors import NotAllowed
from workflow.jobs import JobFailed, JobOutcome, progress_reporter, submit
from workflow.models import Agency, Job

OPEN_REVIEW = "attributes_app.jobs.open_review"
DECIDE_ITEMS = "attributes_app.jobs.decide_items"
IMPORT_OLDER = "attributes_app.jobs.import_older"


def submit_open_review(*, actor: Actor, agency: Agency, year: int, documents: int) -> Job:
    return submit(
        kind=OPEN_REVIEW,
        title=f"启动{agency.short_name or agency.name}{year}年度公开属性复核",
        actor=actor,
        agency=agency,
        params={"year": year},
        total=documents,
    )


def open_review(job: Job) -> JobOutcome:
    year = job.params["year"]
    try:
        review = review_open(
            actor=job.created_by, agency=job.agency, year=year, progress=progress_reporter(job)
        )
    except (StaleReview, NotAllowed) as error:
        raise JobFailed(str(error)) from None
    items = review.items.count()
    flagged = review.items.filter(flagged=True).count()
    return JobOutcome(
        message=f"{year}年度复核已启动：纳入复核{items}件，其中有提示的{flagged}件，已分送各起草单位。",
        url=reverse("attributes:reviews:detail", kwargs={"pk": review.pk}),
        data={"review_id": review.pk, "items": items},
    )


def submit_decide_items(
    *, actor: Actor, review, item_ids: list[int], decision: ReviewDecision, description: str
) -> Job:
    return submit(
        kind=DECIDE_ITEMS,
        title=f"{review.year}年度复核：对{len(item_ids)}项{description}",
        actor=actor,
        agency=review.agency,
        params={"review_id": review.pk, "item_ids": item_ids, "decision": decision.__dict__},
        total=len(item_ids),
    )


def decide_items(job: Job) -> JobOutcome:
    params = job.params
    try:
        result = review_decide_bulk(
            actor=job.created_by,
            review_id=params["review_id"],
            item_ids=params["item_ids"],
            decision=ReviewDecision(**params["decision"]),
        )
    except (StaleReview, NotAllowed) as error:
        raise JobFailed(str(error)) from None
    return JobOutcome(
        message=decided_message(result),
        url=reverse("attributes:reviews:detail", kwargs={"pk": params["review_id"]}),
        data={"items": result.items, "changed": result.changed},
    )


def decided_message(result) -> str:
    message = f"已对{result.items}项作出决定"
    if result.changed:
        message += f"，{result.changed}件文件的公开属性已变更"
    if result.publications:
        message += f"，其中{result.publications}件转为主动公开，已生成公开任务"
    return message + "。"


def submit_import_older(*, actor: Actor, upload: older_uploads.KeptImport, documents: int) -> Job:
    """Import the kept spreadsheet ``upload`` (checked clean) in the background."""
    return submit(
        kind=IMPORT_OLDER,
        title=f"从“{upload.name}”导入{documents}份已印发的文件",
        actor=actor,
        agency=upload.agency,
        params={"path": upload.path, "name": upload.name, "sha256": upload.sha256},
        total=documents,
    )


def import_older(job: Job) -> JobOutcome:
    params = job.params
    stored = older_uploads.open_upload(params["path"])
    if stored is None:
        raise JobFailed(
            f"上传的“{params['name']}”已不在服务器上（可能已经导入，或者保存时间已过），"
            "没有导入任何文件。请重新上传。"
        )
    folder = params["path"].rsplit("/", 1)[0]
    try:
        with stored:
            result = older_documents_import(
                actor=job.created_by,
                agency=job.agency,
                file=stored,
                name=params["name"],
                progress=progress_reporter(job),
                source={"job": job.pk, "sha256": params["sha256"]},
            )
    except ImportRefused as error:
        older_uploads.discard(folder)
        raise JobFailed(error.messages[0]) from None
    except ValidationError:
        older_uploads.discard(folder)
        raise
    except NotAllowed as error:
        older_uploads.discard(folder)
        raise JobFailed(str(error)) from None
    older_uploads.discard(folder)
    return JobOutcome(
        message=(
            f"已从“{params['name']}”导入{result.documents}份已印发的文件。这些文件还没有公开属性："
            "需要时（例如有人申请公开）由起草单位负责人以公函认定。"
        ),
        url=reverse("attributes:documents:older_import:done", kwargs={"job_pk": job.pk}),
        data={"documents": result.documents, "by_unit": result.check.by_unit},
    )


def register_without_attribute_url(agency_id: int) -> str:
    """The register filtered to the agency's documents that have no attribute yet."""
    query = urlencode({"attribute": "none", "agency": agency_id})
    return f"{reverse('attributes:documents:index')}?{query}"
