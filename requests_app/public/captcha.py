"""The online application's CAPTCHA (django-simple-captcha): its challenge, capital letters a
person reads without doubt, and its images' URLs, counted per address."""

from __future__ import annotations

import secrets
from functools import wraps

from captcha import views
from django.conf import settings
from django.urls import re_path

from workflow.public.throttle import throttle

# No I/J/L (read as 1 or each other), O/Q/D (read as 0), S/Z (as 5 and 2), U/V, B (as 8).
LETTERS = "ACEFGHKMNPRTWXY"


def readable_challenge() -> tuple[str, str]:
    """(what the image shows, the answer): the answer is compared without case."""
    text = "".join(secrets.choice(LETTERS) for _ in range(settings.CAPTCHA_LENGTH))
    return text, text.lower()


# -- its images, under /public/captcha/ ------------------------------------------------------------

#: Images and new challenges one address may ask for in an hour: each new challenge is a row,
#: each image a drawing; a person needs a handful.
PER_ADDRESS_HOUR = 300


def _throttled(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        throttle(request, scope="captcha", limit=PER_ADDRESS_HOUR, window=3600)
        return view(request, *args, **kwargs)

    return wrapper


#: django-simple-captcha's own views under their own names (its widget reverses them), each
#: counted per address. No audio: it needs a speech program on the server.
urlpatterns = [
    re_path(
        r"^image/(?P<key>\w+)@2/$",
        _throttled(views.captcha_image),
        name="captcha-image-2x",
        kwargs={"scale": 2},
    ),
    re_path(
        r"^image/(?P<key>\w+)/$",
        _throttled(views.captcha_image),
        name="captcha-image",
        kwargs={"scale": 1},
    ),
    re_path(r"^refresh/$", _throttled(views.captcha_refresh), name="captcha-refresh"),
]
