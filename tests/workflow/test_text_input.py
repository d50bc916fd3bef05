"""Typed text: its limits, the cleaning of invisible characters, NUL refused (issue #10)."""

import importlib
import inspect

import pytest
from django import forms
from django.apps import apps
from hypothesis import given
from hypothesis import strategies as st

from workflow import text_input as limits
from workflow.text_input import (
    BIDI_CONTROLS,
    ZERO_WIDTH,
    BoundedTextField,
    TextRulesMixin,
    clean_name,
    search_text,
    strip_bidi,
)

INVISIBLE = BIDI_CONTROLS + ZERO_WIDTH
FORM_MODULES = (
    "requests_app.forms",
    "requests_app.task_forms",
    "attributes_app.forms",
    "attributes_app.views.links",
)


@given(st.text(alphabet=st.characters() | st.sampled_from(INVISIBLE)))
def test_a_clean_name_has_no_invisible_control_and_cleaning_twice_changes_nothing(text):
    cleaned = clean_name(text)
    assert not set(cleaned) & set(INVISIBLE)
    assert clean_name(cleaned) == cleaned
    # Only the invisible characters go: what is left is the text in its order.
    assert cleaned == "".join(c for c in text if c not in INVISIBLE)


@given(st.text(alphabet=st.characters() | st.sampled_from(INVISIBLE)))
def test_longer_text_loses_the_bidirectional_controls_only(text):
    cleaned = strip_bidi(text)
    assert not set(cleaned) & set(BIDI_CONTROLS)
    assert cleaned == "".join(c for c in text if c not in BIDI_CONTROLS)


def test_the_spoofed_file_name_reads_as_it_is():
    # U+202E shows "申请书\u202efdp.exe" as 申请书exe.pdf.
    assert clean_name("申请书\u202efdp.exe") == "申请书fdp.exe"
    assert clean_name("张\u200b三") == "张三"


@given(st.text())
def test_a_search_is_cut_never_refused_and_holds_no_nul(text):
    query = search_text(text)
    assert len(query) <= limits.SEARCH
    assert "\x00" not in query


class Sample(TextRulesMixin, forms.Form):
    name = forms.CharField(label="联系人（可不填）", max_length=5, required=False)
    note = forms.CharField(label="说明", widget=forms.Textarea, required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def test_the_rules_name_the_field_and_give_every_field_a_limit():
    form = Sample({"name": "张" * 6, "note": "理" * (limits.REASON + 1), "token": "x"})
    assert not form.is_valid()
    assert form.errors["name"] == ["联系人不能超过5个字（现有6个）。"]
    assert form.errors["note"] == [
        f"说明不能超过{limits.REASON}个字（现有{limits.REASON + 1}个）。"
    ]
    assert 'maxlength="2000"' in str(form["note"])


def test_a_nul_is_refused_naming_the_field():
    form = Sample({"name": "张\x00", "note": "好"})
    assert not form.is_valid()
    assert form.errors["name"][0].startswith("联系人中有看不见的空字符（U+0000）")


def test_fields_added_after_init_follow_the_rules_too():
    form = Sample({"late": "\u202e张三"})
    form.fields["late"] = forms.CharField(label="后加的")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["late"] == "张三"
    assert form.fields["late"].max_length == limits.NOTE


def form_classes():
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.Form) and cls.__module__ == module_name:
                yield cls


@pytest.mark.parametrize("form_class", list(form_classes()), ids=lambda cls: cls.__qualname__)
def test_every_form_with_text_follows_the_rules(form_class):
    text_fields = [
        name for name, field in form_class.base_fields.items() if isinstance(field, forms.CharField)
    ]
    if text_fields:
        assert issubclass(form_class, TextRulesMixin), text_fields


def test_every_bounded_text_column_has_its_database_check():
    checked = 0
    for model in apps.get_models():
        constraints = {c.name: c for c in model._meta.constraints}
        for field in model._meta.fields:
            if isinstance(field, BoundedTextField):
                name = next(n for n in constraints if n.endswith(f"_{field.name}_length"))
                assert constraints[name].condition.rhs == field.max_length, name
                checked += 1
    assert checked >= 20


@pytest.mark.django_db
def test_an_agency_name_typed_in_the_admin_loses_its_invisible_controls():
    from workflow.admin import AgencyForm

    form = AgencyForm({"name": "\u202e孝义市\u200b人民政府", "short_name": "孝义市"})
    form.is_valid()
    assert form.cleaned_data["name"] == "孝义市人民政府"
    too_long = AgencyForm({"name": "孝" * 101})
    assert too_long.errors["name"] == ["机关名称不能超过100个字（现有101个）。"]


@pytest.mark.django_db
def test_a_drafting_unit_name_loses_its_invisible_controls(admin_user, agency):
    from django.core.exceptions import ValidationError

    from attributes_app.services import drafting_unit_save

    unit = drafting_unit_save(actor=admin_user, agency=agency, name="综合\u202e科\u200b")
    assert unit.name == "综合科"
    with pytest.raises(ValidationError, match="起草单位名称不能超过100个字（现有101个）"):
        drafting_unit_save(actor=admin_user, agency=agency, name="科" * 101)
