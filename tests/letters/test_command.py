"""manage.py render_letter."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.letters.helpers import require_cjk_fonts
from workflow.letters.kinds import KINDS
from workflow.letters.render import sample_data


def test_list_prints_one_kind_a_line():
    out = StringIO()
    call_command("render_letter", "--list", stdout=out)
    assert out.getvalue().split() == list(KINDS)


def test_sample_renders_pdf(tmp_path):
    require_cjk_fonts()
    target = tmp_path / "reply.pdf"
    call_command(
        "render_letter",
        "reply",
        "--sample",
        "--format",
        "pdf",
        "--out",
        str(target),
        stdout=StringIO(),
    )
    assert target.read_bytes().startswith(b"%PDF")


def test_context_file_with_missing_elements_is_refused(tmp_path):
    data = sample_data("reply")
    data["agency"]["court"] = ""
    path = tmp_path / "context.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="管辖法院"):
        call_command(
            "render_letter",
            "reply",
            "--context",
            str(path),
            "--format",
            "docx",
            "--out",
            str(tmp_path / "x.docx"),
        )
