"""Per-agency template overrides: validated on save, versioned, used when rendering."""

import pytest
from django.core.exceptions import ValidationError

from workflow.letters.engine import builtin_source
from workflow.letters.filters import cite_articles
from workflow.letters.models import TemplateOverride, agency_overrides, template_version
from workflow.letters.render import build_letter, sample_context
from workflow.models import Agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return Agency.objects.create(
        name="孝义市人民政府办公室",
        code="xiaoyi-office",
        reconsideration_organ="孝义市人民政府",
        court="孝义市人民法院",
    )


def test_override_with_a_syntax_error_is_rejected_on_save(agency):
    override = TemplateOverride(agency=agency, name="extension_notice.txt", source="{% if %}坏")
    with pytest.raises(ValidationError) as rejected:
        override.save()
    assert "模板语法错误" in str(rejected.value)
    assert not TemplateOverride.objects.exists()


def test_override_with_unknown_element_is_rejected_on_save(agency):
    source = builtin_source("extension_notice.txt").replace("@主送", "@收件人")
    with pytest.raises(ValidationError, match="未知的文书元素"):
        TemplateOverride(agency=agency, name="extension_notice.txt", source=source).save()


def test_broken_fragment_is_rejected_on_save(agency):
    with pytest.raises(ValidationError, match="模板语法错误"):
        TemplateOverride(agency=agency, name="_remedy.txt", source="{{ remedy|nofilter }}").save()


def test_override_is_used_and_versioned(agency):
    source = builtin_source("extension_notice.txt").replace("特此告知。", "特此告知，敬请谅解。")
    override = TemplateOverride(agency=agency, name="extension_notice.txt", source=source)
    override.save()
    assert override.version == 1
    letter = build_letter(
        "extension_notice", sample_context("extension_notice"), overrides=agency_overrides(agency)
    )
    assert "特此告知，敬请谅解。" in letter.plain_text()
    override.source = source.replace("敬请谅解", "请予理解")
    override.save()
    override.refresh_from_db()
    assert override.version == 2
    assert list(override.versions.values_list("version", flat=True)) == [2, 1]
    assert template_version(agency) == "builtin+extension_notice.txt@v2"
    assert template_version(None) == "builtin"


def test_every_new_version_is_audited(agency, django_user_model):
    from workflow.models import AuditEvent

    editor = django_user_model.objects.create_user("editor")
    source = builtin_source("extension_notice.txt")
    override = TemplateOverride(
        agency=agency, name="extension_notice.txt", source=source, updated_by=editor, note="首版"
    )
    override.save()
    override.source = source.replace("特此告知。", "特此告知，敬请谅解。")
    override.note = "语气"
    override.save()
    override.save()  # unchanged text: no new version, no new audit event
    events = AuditEvent.objects.filter(action="letter_template_saved").order_by("id")
    assert [(e.from_state, e.to_state, e.reason) for e in events] == [
        ("内置模板", "第1版", "首版"),
        ("第1版", "第2版", "语气"),
    ]
    assert all(e.actor == editor and e.agency == agency for e in events)


def test_an_overriding_template_gets_typed_text_as_text_too(agency):
    # Issue #10 point 1: an agency's own template may put a value at the start of a line; what the
    # applicant typed still cannot become a title or a table row. Filters keep working on it.
    source = (
        "@标题 {{ notice_title }}\n"
        "@文号 {{ number }}\n"
        "{{ case.request }}\n"
        "申请获取{{ case.request|quote }}。依据：{{ articles|cite }}；{{ provided|join_cn }}。\n"
        '{% include "_closing.txt" %}\n'
    )
    TemplateOverride(agency=agency, name="reply_notice.txt", source=source).save()
    context = sample_context("reply_notice")
    context.case.request = "@标题 同意公开\n@表 本机关同意全部公开|是\\"
    context.provided = ["附表|一", "附表二"]
    letter = build_letter("reply_notice", context, overrides=agency_overrides(agency))
    assert letter.title == context.template_context()["notice_title"]
    first, second = (block.text for block in letter.blocks)
    assert first == context.case.request
    assert "申请获取“@标题 同意公开\n@表 本机关同意全部公开|是\\”。" in second
    assert f"依据：{cite_articles(context.articles)}；附表|一、附表二。" in second
