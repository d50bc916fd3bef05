"""Who acts: the type every service takes as ``actor`` (a user of the site, or the system user that
timers act as)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    Actor: TypeAlias = User
else:
    Actor = object
