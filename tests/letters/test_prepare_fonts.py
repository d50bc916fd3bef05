"""manage.py prepare_letter_fonts: it says what it does and how far it is, with no time promise
(issue #10 point 17: "约半分钟" took almost 4 minutes on a busy machine)."""

import re
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from workflow.letters import fonts
from workflow.letters.fonts import Extraction, Face


def _slow_extract(source: str, index: int, target: str) -> str:
    """Stands in for the real cut-down (minutes of CPU): a while, then a small file."""
    time.sleep(0.6 if "body" in target else 0.1)
    Path(target).write_bytes(b"OTTO" + b"\0" * 2000)
    return target


@pytest.fixture
def fake_sources(tmp_path, settings, monkeypatch):
    """Two system faces still to extract into a fonts directory of the test's own."""
    settings.VAR_DIR = tmp_path / "var"
    sources = {}
    for role in ("body", "title"):
        sources[role] = tmp_path / f"NotoSerifCJK-{role}.ttc"
        sources[role].write_bytes(b"ttcf")

    def plan():
        faces, todo = {}, []
        for role, source in sources.items():
            target = fonts.fonts_dir() / f"{role}-0123456789ab.otf"
            faces[role] = Face(role, target, f"GK {role}", fonts.DOCX_FONT_NAMES[role])
            if not target.exists():
                todo.append(Extraction(role, source, 2, target))
        return faces, todo

    monkeypatch.setattr(fonts, "plan_faces", plan)
    monkeypatch.setattr(
        "workflow.letters.management.commands.prepare_letter_fonts.plan_faces", plan
    )
    monkeypatch.setattr(fonts, "_extract", _slow_extract)
    monkeypatch.setattr(fonts, "HEARTBEAT_SECONDS", 0.2)
    fonts.letter_faces.cache_clear()
    yield sources
    fonts.letter_faces.cache_clear()


def test_the_command_says_what_it_does_and_reports_each_font_with_the_time_taken(fake_sources):
    out = StringIO()
    call_command("prepare_letter_fonts", stdout=out)
    text = out.getvalue()
    # What it does: which files it reads, what it extracts, where to, and that it runs once.
    assert str(fake_sources["body"]) in text and str(fake_sources["title"]) in text
    assert "简体中文字形" in text and str(fonts.fonts_dir()) in text
    assert "只需运行一次" in text
    # Progress: each font as it is done, with the time elapsed; a sign of life while it works.
    for label, role in (("标题（小标宋）", "title"), ("正文（仿宋）", "body")):
        done = rf"\[[12]/2\] {label}：已写入 .*{role}-0123456789ab\.otf.*已用\d+秒"
        assert re.search(done, text), label
    assert "仍在提取：正文（仿宋）" in text
    assert re.search(r"字体提取完成，共用\d+秒", text)
    # No promise of how long it takes.
    assert "半分钟" not in text and "约" not in text
    assert (fonts.fonts_dir() / "body-0123456789ab.otf").exists()


def test_a_second_run_extracts_nothing(fake_sources):
    call_command("prepare_letter_fonts", stdout=StringIO())
    out = StringIO()
    call_command("prepare_letter_fonts", stdout=out)
    text = out.getvalue()
    assert "正文（仿宋）：已提取" in text and "无需提取" in text
    assert "开始提取" not in text


def test_the_first_letter_logs_the_extraction_without_a_time_promise(fake_sources, caplog):
    with caplog.at_level("INFO", logger="workflow.letters.fonts"):
        faces = fonts.letter_faces()
    assert faces["body"].path.exists()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "开始提取2种字体" in logged and "半分钟" not in logged
