"""The errors services raise, and the one place that turns them into what the officer sees.

Services raise:

- ``NotAllowed``: the actor lacks the role, or works for another agency (shown as 403, or under the
  form when the page is the actor's to see but the step is not theirs);
- ``Stale``: the object moved on since the page was read — someone else acted first (shown as 409,
  or under the form with the hint to refresh);
- ``Invalid``: the input breaks a rule (Django's ``ValidationError``, so forms and ``full_clean``
  speak the same language; each message names the field in Chinese).

Python's ``PermissionError`` is not used: it is an ``OSError``, and a file-system error must never
read "you lack the role".
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import OperationalError


class GongkaiError(Exception):
    """A refusal the officer can read: ``str(error)`` is the Chinese message."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotAllowed(GongkaiError):
    """The actor may not do this: another agency's object, or a step of another role."""

    status = 403


class Stale(GongkaiError):
    """The object is no longer where the page left it: someone else acted first."""

    status = 409


class Invalid(ValidationError):
    """Input that breaks a rule; a ``ValidationError`` (field → messages, or one message)."""


#: What a view catches around a service call to show the refusal under the form.
REFUSALS: tuple[type[Exception], ...] = (NotAllowed, Stale)


def form_errors(error: ValidationError) -> list[tuple[str | None, list[str]]]:
    """(field or None, messages) pairs of a service's ``ValidationError``, ``__all__`` as None."""
    if hasattr(error, "error_dict"):
        return [
            (None if field in ("__all__", "") else field, list(messages))
            for field, messages in error.message_dict.items()
        ]
    return [(None, list(error.messages))]


def add_to_form(form, error: Exception, *, fields: dict[str, str] | None = None) -> None:
    """Show a service's refusal on ``form``: field messages under their fields when the form has
    them (``fields`` renames a service's field to the form's), the rest above the form."""
    if not isinstance(error, ValidationError):
        form.add_error(None, str(error))
        return
    renames = fields or {}
    for field, messages in form_errors(error):
        name = renames.get(field, field) if field else None
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


#: Seconds a browser (or a script) is told to wait before trying again after a busy database.
RETRY_AFTER = 10


def database_busy(error: BaseException | None) -> bool:
    """SQLite's "database is locked" / "database table is locked": another write held the lock
    longer than the connection's ``timeout`` (the pages' 503, and the API's)."""
    return isinstance(error, OperationalError) and "is locked" in str(error)
