"""What each app adds to the staff site, registered at start-up from its ``AppConfig.ready()``.

The engine names no app: an app registers its menu sections (a viewflow ``Application`` each,
built when the site is assembled, so that its views are imported with the URLconf and not
before) and where its users land after the login. ``config.site`` assembles the site from what
was registered, so adding an app edits neither the engine nor the site's assembly.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from viewflow.urls import Application


@dataclass(frozen=True)
class Section:
    """One application of the staff site's menu; ``order`` places it (smaller first)."""

    name: str
    order: int
    build: Callable[[], Application]


@dataclass(frozen=True)
class Landing:
    """Where ``applies(user)`` sends a user after the login: the first that applies, by order."""

    url_name: str
    order: int
    applies: Callable[[Any], bool]


# Keyed by name, so that a second ``ready()`` (a test that reloads the apps) replaces rather
# than repeats.
_SECTIONS: dict[str, Section] = {}
_LANDINGS: dict[str, Landing] = {}

#: Where a user whom no app claims lands: the deadline calculator, open to every user.
DEFAULT_LANDING = "tools:deadline:index"


def register_section(name: str, order: int, build: Callable[[], Application]) -> None:
    """Add the menu section ``name``, built by ``build()`` when the site is assembled."""
    _SECTIONS[name] = Section(name, order, build)


def register_landing(url_name: str, order: int, applies: Callable[[Any], bool]) -> None:
    """Send the users for whom ``applies(user)`` holds to ``url_name`` after the login."""
    _LANDINGS[url_name] = Landing(url_name, order, applies)


def sections() -> list[Application]:
    """The registered sections' applications, in menu order."""
    return [section.build() for section in sorted(_SECTIONS.values(), key=lambda s: s.order)]


def landing_url_name(user: Any) -> str:
    """The URL name a signed-in ``user`` lands on: the first registered landing that applies."""
    for landing in sorted(_LANDINGS.values(), key=lambda landing: landing.order):
        if landing.applies(user):
            return landing.url_name
    return DEFAULT_LANDING
