"""An address under ``/api/v1/`` that matches no endpoint (a misspelt path, an id that is not a
number) answers in the API's one error shape, in JSON, not with the pages' HTML 404."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from workflow.api.errors import GENERIC, body


@csrf_exempt
def unknown_path(request, rest: str = ""):
    return JsonResponse(
        body("not_found", GENERIC[404]), status=404, json_dumps_params={"ensure_ascii": False}
    )
