"""The sections other apps add to the case page and to the accept and propose task pages
(``requests_app.extensions``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from requests_app.extensions import case_panels as registered_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def case_panels(context, case, *, task: bool = False):
    """Every registered panel for ``case``, in order (each renders its own template)."""
    return mark_safe("".join(registered_panels(context, case, task=task)))
