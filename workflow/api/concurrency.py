"""Optimistic concurrency: a read answers with an ``ETag``; an update (PUT/PATCH, and POSTs that
change an existing object) must send it back in ``If-Match``. An update made meanwhile changes
the ETag, so the late writer gets 412 and reads again instead of overwriting (the object is
compared under its row lock, inside the update's transaction)."""

from __future__ import annotations

import hashlib

from workflow.api.errors import ApiError


def etag_of(*parts) -> str:
    """A strong ETag from what identifies a version (the id and ``updated_at`` …)."""
    text = "|".join(str(p) for p in parts)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def require_if_match(request, current: str) -> None:
    """Refuse the update unless ``If-Match`` names ``current`` (428 without it, 412 when older)."""
    require_tag(request.headers.get("If-Match", ""), current)


def require_tag(given: str, current: str) -> None:
    """``require_if_match`` for an ``If-Match`` value given otherwise (an item of a batch)."""
    given = given.strip()
    if not given:
        raise ApiError(
            428,
            "precondition_required",
            "修改时请在 If-Match 头中给出读取时的 ETag，以免覆盖他人的修改。",
            {"If-Match": ["请填写。"]},
        )
    tags = [t.strip().removeprefix("W/") for t in given.split(",")]
    if "*" in tags or current in tags:
        return
    raise ApiError(
        412,
        "precondition_failed",
        "对象在您读取之后已被修改，请重新读取（GET）后再提交修改。",
        {"If-Match": ["版本已过期。"]},
        headers={"ETag": current},
    )
