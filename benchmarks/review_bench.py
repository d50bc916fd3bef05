"""The yearly attribute review at scale: open a review over 100,000 restricted documents (with a
request history for the Art. 44 signal), then propose and decide 10,000 items in bulk.

Builds the register in bulk (documents, requests with outcomes, request ↔ document links), then
times the services themselves. Prints one figure a line as ``name: value unit``.

    .venv/bin/python benchmarks/review_bench.py                      # SQLite
    .venv/bin/python benchmarks/review_bench.py --backend postgresql
    .venv/bin/python benchmarks/review_bench.py --backend both --documents 20000

PostgreSQL is used when a server answers on 127.0.0.1:5432 (``--pg-url`` to change); it gets a
database of its own (``gk_review_bench``), created afresh.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import run_children  # noqa: E402

UNITS = 20
DECIDED = 10_000


def run_one(documents: int, requests: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from attributes_app.models import Document, DocumentRequestLink, DraftingUnit, ReviewItem
    from attributes_app.selectors import review_report
    from attributes_app.services import (
        ReviewDecision,
        ReviewProposal,
        review_decide_bulk,
        review_open,
        review_propose_bulk,
    )
    from requests_app.models import InformationRequest
    from workflow.models import Agency

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(name="基准测试机关", code="bench", case_number_prefix="基信申")
    users = {}
    for role in ("legal_reviewer", "drafter", "registrar"):
        user = User.objects.create_user(role, password="x")
        user.groups.add(Group.objects.get(name=role))
        agency.staff.add(user)
        users[role] = user
    units = []
    for n in range(UNITS):
        unit = DraftingUnit.objects.create(agency=agency, name=f"第{n + 1}科")
        unit.members.add(users["drafter"])
        units.append(unit)

    rng = random.Random(11)
    now = timezone.now()
    today = timezone.localdate()
    year = today.year
    grounds = ["internal_affairs", "process_info", "third_party", "security_stability"]
    rows = []
    for n in range(documents):
        formed = date(year, 12, 31) - timedelta(days=rng.randint(0, 12 * 365))
        formed = min(formed, today - timedelta(days=1))
        attribute = rng.choice(["on_request", "withheld"])
        ground = rng.choice(grounds) if attribute == "withheld" else "limited_scope"
        invalid = rng.random() < 0.05
        rows.append(
            Document(
                agency=agency,
                drafting_unit=units[n % UNITS],
                title=f"基准文件第{n + 1}号",
                number=f"基发〔{formed.year}〕{n + 1}号",
                kind=rng.choice(["policy", "other"]),
                formed_on=formed,
                issued_on=formed,
                secrecy="non_secret",
                validity="expired" if invalid else "in_force",
                validity_changed_on=today if invalid else None,
                process_decided_on=formed + timedelta(days=30)
                if ground == "process_info" and rng.random() < 0.5
                else None,
                attribute=attribute,
                attribute_reasons="基准测试理由",
                attribute_ground=ground,
                attribute_state="restricted",
                created_by=users["drafter"],
                created_at=now,
            )
        )
        if len(rows) == 5000:
            Document.objects.bulk_create(rows, batch_size=1000)
            rows = []
    Document.objects.bulk_create(rows, batch_size=1000)
    document_ids = list(Document.objects.values_list("pk", flat=True))

    outcomes = ["disclosed", "partly_disclosed", "withheld_internal_affairs", "not_held"]
    rows = []
    for n in range(requests):
        receipt = today - timedelta(days=rng.randint(1, 700))
        rows.append(
            InformationRequest(
                agency=agency,
                year=receipt.year,
                sequence=n + 1,
                case_number=f"基信申〔{receipt.year}〕{n + 1}号",
                channel="online",
                arrival_date=receipt,
                receipt_date=receipt,
                applicant_kind="person",
                applicant_name=f"申请人{n % (requests // 2)}",
                id_type="passport",
                id_number=f"E{n % (requests // 2):08d}",
                phone="13800000000",
                description="基准测试申请",
                form_wanted="electronic",
                delivery="email",
                stage="closed",
                outcome=rng.choice(outcomes),
                created_by=users["registrar"],
                created_at=now,
            )
        )
        if len(rows) == 5000:
            InformationRequest.objects.bulk_create(rows, batch_size=1000)
            rows = []
    InformationRequest.objects.bulk_create(rows, batch_size=1000)
    request_ids = list(InformationRequest.objects.values_list("pk", flat=True))
    # Every tenth document is asked for several times; a few more once.
    links = set()
    for document_id in document_ids[::10]:
        for request_id in rng.sample(request_ids, rng.randint(2, 6)):
            links.add((document_id, request_id))
    for _ in range(documents // 5):
        links.add((rng.choice(document_ids), rng.choice(request_ids)))
    DocumentRequestLink.objects.bulk_create(
        [DocumentRequestLink(document_id=d, request_id=r, created_at=now) for d, r in links],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"build: {time.perf_counter() - started:.1f} s")
    print(f"documents: {documents} rows")
    print(f"requests: {requests} rows")
    print(f"links: {len(links)} rows")

    start = time.perf_counter()
    review = review_open(actor=users["legal_reviewer"], agency=agency, year=year)
    print(f"review_open: {time.perf_counter() - start:.2f} s")
    flagged = ReviewItem.objects.filter(review=review, flagged=True).count()
    print(f"review_items: {review.items.count()} rows")
    print(f"review_flagged: {flagged} rows")

    chosen = list(
        ReviewItem.objects.filter(review=review)
        .exclude(document__kind="normative")
        .order_by("pk")
        .values_list("pk", flat=True)[:DECIDED]
    )
    start = time.perf_counter()
    review_propose_bulk(
        actor=users["drafter"],
        review_id=review.pk,
        item_ids=chosen,
        proposal=ReviewProposal(
            verdict="change", attribute="proactive", reasons="建议转为主动公开"
        ),
    )
    print(f"bulk_propose_{len(chosen)}: {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    result = review_decide_bulk(
        actor=users["legal_reviewer"],
        review_id=review.pk,
        item_ids=chosen,
        decision=ReviewDecision(
            verdict="change",
            attribute="proactive",
            reason_code="time_elapsed",
            reasons="不主动公开的理由已不存在，转为主动公开",
        ),
    )
    print(f"bulk_decide_{len(chosen)}: {time.perf_counter() - start:.2f} s")
    assert result.changed == len(chosen) and result.publications == len(chosen), result

    kept = list(
        ReviewItem.objects.filter(review=review, status="with_unit")
        .order_by("pk")
        .values_list("pk", flat=True)[:DECIDED]
    )
    if kept:  # a small register (--documents) may have nothing left to keep
        review_propose_bulk(
            actor=users["drafter"],
            review_id=review.pk,
            item_ids=kept,
            proposal=ReviewProposal(verdict="keep", reasons="理由仍然成立"),
        )
        start = time.perf_counter()
        review_decide_bulk(
            actor=users["legal_reviewer"],
            review_id=review.pk,
            item_ids=kept,
            decision=ReviewDecision(verdict="keep", reason_code="reasons_stand", reasons="维持"),
        )
        print(f"bulk_keep_{len(kept)}: {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    report = review_report(review)
    print(f"review_report: {time.perf_counter() - start:.2f} s")
    assert report.changed == len(chosen) and report.kept == len(kept), report.changed
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak_rss: {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30_000)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/gk_review_bench")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        run_one(args.documents, args.requests)
        return

    run_children(
        script=__file__,
        backend=args.backend,
        folder="bench-review",
        pg_url=args.pg_url,
        child_args=["--documents", str(args.documents), "--requests", str(args.requests)],
    )


if __name__ == "__main__":
    main()
