"""The letter kinds (DOMAIN §3.8, §4.3 and §4.4): code, Chinese name, template, context type and
the family that numbers them.

The engine holds the table; the apps fill it at start-up from their ``AppConfig.ready()``
(``register_kind``), so that the engine names none of their letters. An app may also register
named variants of its samples (``register_variants``: the reply turned to each outcome) for the
gallery and for checking a template override.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from workflow.letters.contexts import LetterContext


@dataclass(frozen=True)
class LetterKind:
    code: str
    label: str
    template: str
    context_class: type[LetterContext]
    one_page: bool = True  # the standard letter fits one page with a realistic sample
    form: bool = False  # a form (table), never printed with the 信函格式 head
    family: str = ""  # the family numbering its letters (``FAMILIES``); "": no 文号 of its own


#: Every registered kind by code, in the order registered (the apps' order in INSTALLED_APPS).
KINDS: dict[str, LetterKind] = {}

# Letter families numbered apart, per agency and year (DOMAIN §3.8): code -> (Chinese name, the
# 代字 added to the agency's 登记编号前缀 when the agency sets no prefix of its own). Each issued
# letter of a family takes the next 文号 of its sequence, e.g. 孝政信申复〔2026〕3号. The agency
# keeps a ``<family>_number_prefix`` per family (``workflow.models.Agency``).
FAMILIES: dict[str, tuple[str, str]] = {
    "reply": ("答复书", "复"),
    "notice": ("告知书", "告"),
    "letter": ("征求意见函", "函"),
}

#: The family of each registered kind that has one (kind code -> family code). The 公开属性认定函
#: and the review papers are numbered by the attribute workflow, outside these families.
KIND_FAMILIES: dict[str, str] = {}


def family_prefix(agency: Any, family: str) -> str:
    """The 代字 of ``agency``'s letters of ``family``: its own setting, or the 登记编号前缀 (else
    its short name or name) followed by the family's character, e.g. 孝政信申复. ``agency``: a
    ``workflow.models.Agency`` (not imported: the model imports this module to check prefixes)."""
    own = getattr(agency, f"{family}_number_prefix", "")
    if own:
        return own
    base = agency.case_number_prefix or agency.short_name or agency.name
    return f"{base}{FAMILIES[family][1]}"


def register_kind(kind: LetterKind) -> None:
    """Add ``kind`` to the table (a kind registered again replaces the earlier one)."""
    if kind.family and kind.family not in FAMILIES:
        raise ValueError(
            f"{kind.label}：未知的文号系列 {kind.family}（可用：{'、'.join(FAMILIES)}）"
        )
    KINDS[kind.code] = kind
    if kind.family:
        KIND_FAMILIES[kind.code] = kind.family
    else:
        KIND_FAMILIES.pop(kind.code, None)


def get_kind(code: str) -> LetterKind:
    """The kind called ``code``; ``KeyError`` with a Chinese message listing the kinds."""
    try:
        return KINDS[code]
    except KeyError:
        raise KeyError(f"未知的文书种类：{code}（可用：{'、'.join(KINDS)}）") from None


@dataclass(frozen=True)
class SampleVariants:
    """Named variants of some kinds' samples, registered by the app that owns those kinds (the
    reply turned to each outcome). The gallery offers them; a variant's fragment template previews
    with its variant; an override of a template the variants share is checked under each one."""

    kind: str  # the main kind: a fragment or a partial (``_remedy.txt``) previews with it
    labels: Mapping[str, str]  # variant code -> Chinese name, in the order offered
    offered: Mapping[str, Collection[str] | None]  # kind -> its variants (None: every one)
    build: Callable[[str, str], LetterContext]  # (variant, kind) -> the kind's sample so turned
    template: str  # a variant's fragment, e.g. "outcomes/{}.txt"
    # Templates, besides the partials ("_…"), that include the fragments: an override of one is
    # checked under every variant of each ``checked`` kind, then with every other kind's sample.
    shared_templates: Collection[str] = ()
    checked: Collection[str] = ()

    def for_kind(self, kind: str) -> list[tuple[str, str]]:
        """(code, name) of the variants ``kind`` offers; empty for a kind without variants."""
        if kind not in self.offered:
            return []
        allowed = self.offered[kind]
        return [
            (code, label)
            for code, label in self.labels.items()
            if allowed is None or code in allowed
        ]

    def fragment(self, name: str) -> str | None:
        """The variant whose fragment template is ``name``, or ``None``."""
        prefix, _, suffix = self.template.partition("{}")
        if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix + suffix):
            return name.removeprefix(prefix).removesuffix(suffix)
        return None


#: The registered variants, keyed by their fragment template.
VARIANTS: dict[str, SampleVariants] = {}


def register_variants(variants: SampleVariants) -> None:
    """Add an app's sample variants (registered again: replaced)."""
    VARIANTS[variants.template] = variants


def variants_for(kind: str) -> list[tuple[str, str]]:
    """(code, name) of every variant of ``kind``'s sample, for the gallery."""
    return [pair for variants in VARIANTS.values() for pair in variants.for_kind(kind)]


def variant_sample(kind: str, code: str) -> LetterContext | None:
    """``kind``'s sample turned to variant ``code``, or ``None`` when it has no such variant."""
    for variants in VARIANTS.values():
        if code in dict(variants.for_kind(kind)):
            return variants.build(code, kind)
    return None
