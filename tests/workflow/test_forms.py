"""Form pieces of the engine shared by the pages."""

import pytest
from django import forms
from django.test.html import parse_html

from workflow.forms import QuickSelect

CHOICES = [
    ("", "—"),
    ("accept", "受理审查"),
    ("a&b", '甲 & "乙" <丙>'),
    ("数字", [("1", "一"), ("2", "二")]),
]


@pytest.mark.parametrize("value", [None, "", "accept", "a&b", "2", ["accept", "2"], "nonsense"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_stage", "class": "gk", "required": True, "disabled": False}]
)
def test_quick_select_writes_the_same_html_as_djangos_select(value, attrs):
    quick = QuickSelect(choices=CHOICES).render("stage", value, attrs)
    django = forms.Select(choices=CHOICES).render("stage", value, attrs)
    assert parse_html(quick) == parse_html(django)


def test_quick_select_escapes_what_it_writes():
    html = QuickSelect(choices=[("<x>", "<b>粗</b>")]).render("q", None)
    assert "<b>" not in html and "&lt;b&gt;粗&lt;/b&gt;" in html
    assert 'value="&lt;x&gt;"' in html
