"""manage.py render_letter KIND (--context FILE.json | --sample) --format pdf|docx --out PATH."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workflow.letters.contexts import ContextDataError, MissingLetterElements
from workflow.letters.kinds import KINDS
from workflow.letters.render import (
    FORMATS,
    LetterError,
    context_from_data,
    render_letter,
    sample_data,
)


class Command(BaseCommand):
    help = "用模板生成一份文书（PDF 或 DOCX）；--list 列出种类，--sample 使用自带示例。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", nargs="?", help="文书种类代码，见 --list")
        parser.add_argument("--list", action="store_true", help="列出文书种类，每行一个")
        parser.add_argument("--context", type=Path, help="文书内容（JSON 文件）")
        parser.add_argument("--sample", action="store_true", help="使用自带的示例内容")
        parser.add_argument("--format", choices=FORMATS, default="pdf", dest="fmt")
        parser.add_argument("--out", type=Path, help="输出文件路径（默认 KIND.pdf / KIND.docx）")

    def handle(
        self,
        *args,
        kind=None,
        list=False,
        context=None,
        sample=False,
        fmt="pdf",
        out=None,
        **options,
    ) -> None:
        if list:
            for code in KINDS:
                self.stdout.write(code)
            return
        if not kind:
            raise CommandError("请指定文书种类，或用 --list 查看。")
        if kind not in KINDS:
            raise CommandError(f"未知的文书种类：{kind}（用 --list 查看）")
        if bool(context) == bool(sample):
            raise CommandError("请指定 --context FILE.json 或 --sample（二者选一）。")
        try:
            data = sample_data(kind) if sample else json.loads(context.read_text(encoding="utf-8"))
            letter_context = context_from_data(kind, data)
            body = render_letter(kind, letter_context, fmt, draft=True)
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"无法读取内容文件：{error}") from error
        except (ContextDataError, MissingLetterElements, LetterError) as error:
            raise CommandError(str(error)) from error
        out = out or Path(f"{kind}.{fmt}")
        out.write_bytes(body)
        self.stdout.write(f"{out}（{len(body)} 字节）")
