"""manage.py annual_report --agency CODE --year YYYY --format json|docx|pdf|xlsx [--out PATH]

The annual report of one agency for one year (docs/annual-report.md): by default the numbers as
the records are now, with the draft's texts if there is a draft; ``--published`` the latest
published version as it was frozen, ``--report-version N`` that published version. JSON is written
here; DOCX, PDF and XLSX by ``requests_app.annual_report.output.render``.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from requests_app.annual_report.counting import build_report
from requests_app.annual_report.store import PUBLISHED, draft_of, published_data
from requests_app.models import AnnualReport
from workflow.models import Agency

FORMATS = ("json", "docx", "pdf", "xlsx")
OUTPUT_MODULE = "requests_app.annual_report.output"


def render(data, fmt: str) -> bytes:
    """The report in ``fmt`` as bytes."""
    if fmt == "json":
        return (json.dumps(data.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if importlib.util.find_spec(OUTPUT_MODULE) is None:
        raise CommandError(
            f"本安装没有{fmt.upper()}输出模块（{OUTPUT_MODULE}），目前只能输出json。"
        )
    output = importlib.import_module(OUTPUT_MODULE)
    return output.render(data, fmt)


class Command(BaseCommand):
    help = "输出一个机关某一年度的政府信息公开工作年度报告（json、docx、pdf或xlsx）。"

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="机关代码")
        parser.add_argument("--year", required=True, type=int, help="报告年度，如2025")
        parser.add_argument("--format", default="json", choices=FORMATS, dest="fmt")
        parser.add_argument("--out", default="", help="输出文件；不填则写到标准输出")
        parser.add_argument(
            "--published", action="store_true", help="输出最新发布的版本（发布时冻结的数字）"
        )
        parser.add_argument(
            "--report-version",
            type=int,
            default=None,
            dest="report_version",
            help="输出已发布的第N版",
        )

    def handle(self, *args, agency, year, fmt, out, published, report_version, **options):
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            raise CommandError(f"没有代码为“{agency}”的机关。")
        if not 2000 <= year <= 9999:
            raise CommandError(f"年度“{year}”不正确。")
        if published or report_version is not None:
            reports = AnnualReport.objects.filter(agency=found, year=year, status=PUBLISHED)
            if report_version is not None:
                reports = reports.filter(version=report_version)
            report = reports.order_by("-version").first()
            if report is None:
                which = f"第{report_version}版" if report_version is not None else "已发布的"
                raise CommandError(f"{found.name}没有{which}{year}年度报告。")
            data = published_data(report)
        else:
            data = build_report(found, year)
            draft = draft_of(found, year)
            if draft is not None:
                data.texts = draft.texts
        content = render(data, fmt)
        if out:
            with open(out, "wb") as target:
                target.write(content)
            self.stderr.write(f"已写入 {out}")
        elif fmt == "json":
            self.stdout.write(content.decode("utf-8"), ending="")
        else:
            sys.stdout.buffer.write(content)
