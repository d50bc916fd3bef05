"""Loading and rendering letter templates (Django template language, no HTML escaping).

Templates live in ``letter_templates/`` at the top of the repository; an agency's overrides
(``TemplateOverride`` rows) shadow them by name, including fragments pulled in with
``{% include %}`` such as ``outcomes/not_held.txt`` or ``_remedy.txt``.

Every string of the context is data: ``render_markup`` escapes it (``escape_value``) before the
template sees it, so nothing typed into a case can become letter structure. Only the template's own
text writes structure.
"""

import copy
import enum
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from django.utils.functional import Promise

from workflow.letters.structure import escape_text

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "letter_templates"

_FILESYSTEM = ("django.template.loaders.filesystem.Loader", [str(TEMPLATES_DIR)])


def _new_engine(overrides: tuple[tuple[str, str], ...]) -> Engine:
    loaders: list[Any] = [("django.template.loaders.cached.Loader", [_FILESYSTEM])]
    if overrides:
        loaders.insert(0, ("django.template.loaders.locmem.Loader", dict(overrides)))
    return Engine(
        dirs=[str(TEMPLATES_DIR)],
        loaders=loaders,
        autoescape=False,  # the output is letter markup, escaped by each renderer as it needs
        builtins=["workflow.letters.filters"],
    )


@lru_cache(maxsize=64)
def _engine(overrides: tuple[tuple[str, str], ...]) -> Engine:
    return _new_engine(overrides)


def get_engine(overrides: Mapping[str, str] | None = None) -> Engine:
    """The engine for a set of overrides (cached per distinct set)."""
    return _engine(tuple(sorted((overrides or {}).items())))


_SCALARS = (int, float, Decimal, date, datetime, enum.Enum, type(None))


def escape_value(value: Any) -> Any:
    """``value`` with every string in it escaped as markup data (see ``structure.escape_text``).

    Strings, lists, tuples and dicts of them, and dataclasses (copied, each field escaped, so their
    properties compute from escaped text too) are walked; numbers, dates and ``None`` pass as they
    are. Anything else is refused: a template must not reach text that was not escaped.
    """
    if isinstance(value, str | Promise):  # a lazy translation is text too
        return escape_text(str(value))
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list | tuple):
        return type(value)(escape_value(item) for item in value)
    if isinstance(value, dict):
        return {key: escape_value(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        escaped = copy.copy(value)
        for field in fields(value):
            object.__setattr__(escaped, field.name, escape_value(getattr(value, field.name)))
        return escaped
    raise TypeError(f"letter contexts hold text, numbers, dates, lists and dataclasses: {value!r}")


def render_markup(
    template_name: str, context: Mapping[str, Any], overrides: Mapping[str, str] | None = None
) -> str:
    """Render ``template_name`` with ``context`` into letter markup (context strings as data)."""
    template = get_engine(overrides).get_template(template_name)
    return template.render(Context(escape_value(dict(context)), autoescape=False))


def builtin_source(name: str) -> str:
    """The bundled text of template ``name`` (the starting point of an override)."""
    path = (TEMPLATES_DIR / name).resolve()
    if TEMPLATES_DIR not in path.parents:
        raise FileNotFoundError(name)
    return path.read_text(encoding="utf-8")


def template_names() -> list[str]:
    """Every bundled template, kinds and fragments, as names relative to ``letter_templates/``."""
    return sorted(
        str(path.relative_to(TEMPLATES_DIR))
        for path in TEMPLATES_DIR.rglob("*.txt")
        if "samples" not in path.parts
    )


def check_source(source: str) -> None:
    """Compile ``source``; raises ``django.template.TemplateSyntaxError`` when it is broken."""
    _new_engine(()).from_string(source)
