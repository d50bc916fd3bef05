"""The query code (查询码) an applicant gets with an online application, to follow it later.

Shown once and kept only as a keyed hash: a copy of the database alone does not reveal it, and
with about 60 bits of randomness it cannot be guessed within any rate limit. Checking costs the
same whether or not there is a code to compare with, so a wrong number and a wrong code look
alike from outside.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

# No 0/O, 1/I/L: read aloud or copied by hand without doubt.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 12
_SALT = "gongkai.public.query-code"
_PREFIX = "hmac-sha256$"


def new_query_code() -> str:
    """Twelve characters in three groups of four, e.g. ``K7PQ-3MXA-9RTE``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalize(code: str) -> str:
    return "".join(c for c in (code or "").upper() if c.isalnum())


def _digest(code: str, secret: str) -> str:
    return salted_hmac(_SALT, normalize(code), secret=secret, algorithm="sha256").hexdigest()


def hash_query_code(code: str) -> str:
    return _PREFIX + _digest(code, settings.SECRET_KEY)


def query_code_matches(stored_hash: str, code: str) -> bool:
    """Whether ``code`` is the one behind ``stored_hash``; also under a previous secret key
    (``SECRET_KEY_FALLBACKS``). An empty ``stored_hash`` (unknown number, an API submission)
    never matches, after the same work."""
    stored = stored_hash or (_PREFIX + "0" * 64)
    matched = False
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        matched |= constant_time_compare(stored, _PREFIX + _digest(code, secret))
    return matched and bool(stored_hash) and bool(normalize(code))
