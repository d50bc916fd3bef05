"""The online application's CAPTCHA challenge (django-simple-captcha): capital letters a person
reads without doubt, in any typeface."""

from __future__ import annotations

import secrets

from django.conf import settings

# No I/J/L (read as 1 or each other), O/Q/D (read as 0), S/Z (as 5 and 2), U/V, B (as 8).
LETTERS = "ACEFGHKMNPRTWXY"


def readable_challenge() -> tuple[str, str]:
    """(what the image shows, the answer): the answer is compared without case."""
    text = "".join(secrets.choice(LETTERS) for _ in range(settings.CAPTCHA_LENGTH))
    return text, text.lower()
