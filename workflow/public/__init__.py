"""The public side (issue #16): the pages an agency shows to everyone — its guide, directory,
catalogue and annual reports — and the online application with its tracking.

It lives under ``/public/`` with its own templates, and no staff session is valid there
(``workflow.public.middleware``): a public page never knows who of the staff is looking.
"""

PREFIX = "/public/"


def is_public_path(path: str) -> bool:
    return path == PREFIX.rstrip("/") or path.startswith(PREFIX)
