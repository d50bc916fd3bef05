"""Background jobs of the yearly review (``workflow.jobs``): opening a review over every
on-request and withheld document of an agency, and deciding thousands of items at once.

Each handler calls one service, which runs in one transaction: a job that fails changes nothing.
"""

from __future__ import annotations

from django.urls import reverse

from attributes_app.services import (
    ReviewDecision,
    StaleReview,
    review_decide_bulk,
    review_open,
)
from workflow.jobs import JobFailed, JobOutcome, progress_reporter, submit
from workflow.models import Agency, Job

OPEN_REVIEW = "attributes_app.jobs.open_review"
DECIDE_ITEMS = "attributes_app.jobs.decide_items"


def submit_open_review(*, actor, agency: Agency, year: int, documents: int) -> Job:
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
    except StaleReview as error:
        raise JobFailed(str(error)) from None
    items = review.items.count()
    flagged = review.items.filter(flagged=True).count()
    return JobOutcome(
        message=f"{year}年度复核已启动：纳入复核{items}件，其中有提示的{flagged}件，已分送各起草单位。",
        url=reverse("attributes:reviews:detail", kwargs={"pk": review.pk}),
        data={"review_id": review.pk, "items": items},
    )


def submit_decide_items(
    *, actor, review, item_ids: list[int], decision: ReviewDecision, description: str
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
    except StaleReview as error:
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
