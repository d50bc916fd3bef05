"""Table 二 of the annual report, first small table (第二十条第（一）项): the rules (规章) and
normative documents (行政规范性文件) of the document register, counted for the requests app's
report through its registry (``requests_app.annual_report.sources``), filled from ``apps.py``.

- 本年制发件数: issued (``issued_on``) in the year;
- 本年废止件数: repealed or expired (已废止, 已失效) with the date of that change in the year;
- 现行有效件数: issued by 31 December and not repealed or expired by that day (an amended
  document, 已修改, is still in force).

Documents moved out of the system as classified are not counted.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from attributes_app import rules
from attributes_app.models import Document
from requests_app.annual_report.conditions import among
from requests_app.annual_report.structure import Cell

ROWS = {rules.RULE: "规章", rules.NORMATIVE: "行政规范性文件"}
ENDED = (Document.Validity.REPEALED, Document.Validity.EXPIRED)


def _conditions(year: int) -> tuple[Q, Q, Q]:
    start, end = date(year, 1, 1), date(year, 12, 31)
    issued = Q(issued_on__gte=start, issued_on__lte=end)
    ended = Q(validity__in=ENDED, validity_changed_on__gte=start, validity_changed_on__lte=end)
    in_force = Q(issued_on__lte=end) & ~Q(validity__in=ENDED, validity_changed_on__lte=end)
    return issued, ended, in_force


def count_documents(
    agency_ids: list[int], year: int, with_ids: bool
) -> dict[int, dict[str, list[Cell]]]:
    """For each agency, 规章 and 行政规范性文件: [本年制发, 本年废止, 现行有效] (one query; one
    more per condition with ids)."""
    issued, ended, in_force = _conditions(year)
    documents = Document.objects.filter(
        among("agency_id", agency_ids), kind__in=list(ROWS), issued_on__isnull=False
    ).exclude(secrecy=Document.Secrecy.CLASSIFIED)
    found: dict[int, dict[str, list[Cell]]] = {}
    ids: dict[tuple[int, str], list[list[int]]] = {}
    if with_ids:
        for column, condition in enumerate((issued, ended, in_force)):
            for agency, kind, pk in (
                documents.filter(condition).values_list("agency_id", "kind", "id").order_by("id")
            ):
                ids.setdefault((agency, kind), [[], [], []])[column].append(pk)
    groups = (
        documents.values("agency_id", "kind")
        .annotate(
            issued=Count("id", filter=issued),
            ended=Count("id", filter=ended),
            in_force=Count("id", filter=in_force),
        )
        .order_by()
    )
    for group in groups:
        behind = ids.get((group["agency_id"], group["kind"]), [[], [], []])
        found.setdefault(group["agency_id"], {})[ROWS[group["kind"]]] = [
            Cell(group[name], tuple(behind[column]))
            for column, name in enumerate(("issued", "ended", "in_force"))
        ]
    return found
