"""Sample contexts for previews and for checking a template override before it is saved."""

from typing import Any

from workflow.letters.contexts import AgencyInfo, LetterContext
from workflow.letters.engine import check_source, template_names
from workflow.letters.kinds import KINDS, NOTICE_OUTCOMES
from workflow.letters.outcomes import OUTCOMES, default_articles, get_outcome
from workflow.letters.render import build_letter, sample_context, sample_data

# Filled in when a sample is turned to another outcome, so every outcome's fragment can render.
_OUTCOME_FILLER = {
    "reason": "（示例）理由的具体说明。",
    "where_published": "孝义市人民政府门户网站“政府信息公开”专栏",
    "search_description": "（示例）在本机关公文系统和档案中以申请所述名称为关键词进行了检索",
    "special_law": "《不动产登记暂行条例》第二十七条",
    "competent_agency": "孝义市不动产登记中心",
    "earlier_reply": "（示例）本机关已于2026年1月30日对相同申请作出答复",
    "proper_channel": "孝义市12345政务服务便民热线",
    "notice_date": "2026-03-10",
    "lapsed_deadline": "2026-03-31",
}


def reply_sample(outcome: str, kind: str = "reply") -> LetterContext:
    """The reply sample turned to ``outcome``, with every field that outcome may need filled."""
    get_outcome(outcome)
    data = sample_data("reply")
    data.update(_OUTCOME_FILLER)
    data["outcome"] = outcome
    if outcome == "withheld_prohibited_by_law":
        data["special_law"] = "《中华人民共和国统计法》第二十五条"
    data["articles"] = default_articles(outcome) or ["《中华人民共和国政府信息公开条例》第三十六条"]
    if outcome != "partly_disclosed":
        data["withheld_parts"] = []
    if outcome not in ("disclosed", "partly_disclosed", "already_public"):
        data["provided"] = []
    return sample_context(kind, **{k: v for k, v in data.items() if k != "agency"})


def preview_for(name: str) -> tuple[str, LetterContext]:
    """(kind, sample context) that exercises template ``name``."""
    for kind in KINDS.values():
        if kind.template == name:
            return kind.code, sample_context(kind.code)
    if name.startswith("outcomes/"):
        outcome = name.removeprefix("outcomes/").removesuffix(".txt")
        return "reply", reply_sample(outcome)
    return "reply", sample_context("reply")


def with_agency(context: LetterContext, agency: Any | None) -> LetterContext:
    """``context`` issued by ``agency`` (its non-empty settings replace the sample's)."""
    if agency is None:
        return context
    sample = context.agency
    info = AgencyInfo.from_agency(agency, contact_person=sample.contact_person)
    for field in ("office_name", "phone", "address", "postcode", "reconsideration_organ", "court"):
        if not getattr(info, field):
            setattr(info, field, getattr(sample, field))
    context.agency = info
    return context


def override_errors(name: str, source: str) -> list[str]:
    """Why ``source`` cannot replace template ``name`` (empty when it can).

    The override is compiled, then every sample that uses it is rendered into the letter
    structure, so an error surfaces when the override is saved, never when a letter is issued.
    """
    from django.template import TemplateDoesNotExist, TemplateSyntaxError

    if name not in template_names():
        return [f"没有名为“{name}”的文书模板。"]
    try:
        check_source(source)
    except TemplateSyntaxError as error:
        return [f"模板语法错误：{error}"]
    cases: list[tuple[str, LetterContext]] = [preview_for(name)]
    if name.startswith("_") or name in ("reply.txt", "reply_notice.txt"):
        cases = [("reply", reply_sample(code)) for code in OUTCOMES]
        cases += [
            (k, reply_sample(code, k)) for k, codes in NOTICE_OUTCOMES.items() for code in codes
        ]
        cases += [(code, sample_context(code)) for code in KINDS if code not in ("reply",)]
    errors = []
    for kind, context in cases:
        try:
            build_letter(kind, context, overrides={name: source})
        except (TemplateSyntaxError, TemplateDoesNotExist, ValueError, KeyError) as error:
            errors.append(f"用示例生成“{KINDS[kind].label}”时出错：{error}")
        except Exception as error:  # a template may fail in any way; report it, do not save
            errors.append(f"用示例生成“{KINDS[kind].label}”时出错：{type(error).__name__}: {error}")
        if errors:
            break
    return errors
