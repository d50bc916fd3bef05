"""Importing older documents from a spreadsheet at scale: a 10,000-row XLSX workbook (every
column filled, dates as real date cells and as text) checked, then imported in one transaction
with its audit events. Prints one figure a line as ``name: value unit``.

    .venv/bin/python benchmarks/older_import_bench.py                      # SQLite
    .venv/bin/python benchmarks/older_import_bench.py --backend postgresql
    .venv/bin/python benchmarks/older_import_bench.py --rows 20000 --format csv

PostgreSQL is used when a server answers on 127.0.0.1:5432 (``--pg-url`` to change); it gets a
database of its own (``gk_older_import_bench``), created afresh.
"""

from __future__ import annotations

import argparse
import csv
import io
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


def spreadsheet(rows: int, units: list[str], fmt: str) -> bytes:
    """A filled-in file as an agency would bring it: a tenth without 文号, some repealed."""
    from attributes_app.older_sheet import COLUMNS

    rng = random.Random(7)
    headers = [c.header for c in COLUMNS]
    kinds = ["政策性文件", "行政规范性文件", "其他公文", ""]
    data = []
    for n in range(rows):
        formed = date(2005, 1, 1) + timedelta(days=rng.randint(0, 7000))
        issued = formed + timedelta(days=rng.randint(0, 10))
        repealed = rng.random() < 0.15
        data.append(
            [
                units[n % len(units)],
                f"关于做好第{n + 1}项工作的通知",
                "" if n % 10 == 0 else f"基政发〔{formed.year}〕{n + 1}号",
                rng.choice(kinds),
                formed,
                issued if n % 2 else f"{issued.year}年{issued.month}月{issued.day}日",
                rng.choice(["非涉密", "非涉密", "未确定密级", ""]),
                "已废止" if repealed else rng.choice(["有效", ""]),
                issued + timedelta(days=900) if repealed else None,
                f"被基政发〔2024〕{n + 1}号文件废止" if repealed else "",
                None,
            ]
        )
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for values in data:
            writer.writerow(
                ["" if v is None else v.isoformat() if isinstance(v, date) else v for v in values]
            )
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("文件清单")
    sheet.append(headers)
    for values in data:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_one(rows: int, fmt: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from attributes_app.models import Document, DraftingUnit
    from attributes_app.older_import import older_documents_import, older_import_check
    from workflow.models import Agency, AuditEvent

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(name="基准测试机关", code="bench", case_number_prefix="基信申")
    office = User.objects.create_user("office_head", password="x")
    office.groups.add(Group.objects.get(name="office_head"))
    agency.staff.add(office)
    names = [f"第{n + 1}科" for n in range(UNITS)]
    for name in names:
        DraftingUnit.objects.create(agency=agency, name=name)
    content = spreadsheet(rows, names, fmt)
    name = f"已印发文件清单.{fmt}"
    print(f"build: {time.perf_counter() - started:.1f} s")
    print(f"file: {len(content) / 1024 / 1024:.1f} MB ({fmt}, {rows} rows)")

    start = time.perf_counter()
    check = older_import_check(
        actor=office, agency=agency, file=ContentFile(content, name=name), name=name
    )
    print(f"older_import_check_{rows}: {time.perf_counter() - start:.2f} s")
    assert check.clean and check.documents == rows, check.problems[:3]

    start = time.perf_counter()
    result = older_documents_import(
        actor=office, agency=agency, file=ContentFile(content, name=name), name=name
    )
    print(f"older_import_{rows}: {time.perf_counter() - start:.2f} s")
    assert result.documents == rows
    assert Document.objects.filter(agency=agency).count() == rows
    assert AuditEvent.objects.filter(action="document_registered").count() == rows
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak_rss: {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument(
        "--pg-url", default="postgres://postgres@127.0.0.1:5432/gk_older_import_bench"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        run_one(args.rows, args.format)
        return

    run_children(
        script=__file__,
        backend=args.backend,
        folder="bench-older-import",
        pg_url=args.pg_url,
        child_args=["--rows", str(args.rows), "--format", args.format],
    )


if __name__ == "__main__":
    main()
