"""Sample contexts for previews and for checking a template override before it is saved."""

from typing import Any

from workflow.letters.contexts import AgencyInfo, LetterContext
from workflow.letters.engine import check_source, template_names
from workflow.letters.kinds import KINDS, VARIANTS
from workflow.letters.render import build_letter, sample_context


def preview_for(name: str) -> tuple[str, LetterContext]:
    """(kind, sample context) that exercises template ``name``: the kind's own template, a
    variant's fragment (``outcomes/not_held.txt``: the reply so turned), else a partial, with the
    main kind of the registered variants (the reply) or the first kind."""
    for kind in KINDS.values():
        if kind.template == name:
            return kind.code, sample_context(kind.code)
    for variants in VARIANTS.values():
        code = variants.fragment(name)
        if code is not None:
            return variants.kind, variants.build(code, variants.kind)
    main = next((variants.kind for variants in VARIANTS.values()), next(iter(KINDS)))
    return main, sample_context(main)


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
    if name.startswith("_") or any(name in v.shared_templates for v in VARIANTS.values()):
        # A template several kinds share: every variant of the kinds that include the fragments
        # (the reply under each outcome, each notice under its own), then every other kind.
        cases = [
            (kind, variants.build(code, kind))
            for variants in VARIANTS.values()
            for kind in variants.checked
            for code, _ in variants.for_kind(kind)
        ]
        main = {variants.kind for variants in VARIANTS.values()}
        cases += [(code, sample_context(code)) for code in KINDS if code not in main]
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
