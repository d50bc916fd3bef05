"""Template tags of the public side's frame (``public/base.html``)."""

from django import template

from workflow.public import nav

register = template.Library()


@register.simple_tag
def public_nav(agency) -> list[dict[str, str]]:
    """The agency's sections that exist, each ``{name, url, label, hint}``."""
    return nav.links(agency) if agency is not None else []
