"""The engine's errors: services' refusals become a 403 / 409 page in one place, and form errors
through one helper."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from workflow.errors import Invalid, NotAllowed, Stale, add_to_form
from workflow.middleware import ServiceErrorMiddleware


class _Form(forms.Form):
    title = forms.CharField(required=False)
    heading = forms.CharField(required=False)


def test_permission_error_of_the_file_system_is_not_a_refusal():
    # PermissionError is an OSError: a service's refusal must not be confused with it.
    assert not issubclass(NotAllowed, OSError)
    assert not issubclass(Stale, OSError)
    assert issubclass(Invalid, ValidationError)


def test_add_to_form_puts_field_messages_under_their_fields():
    form = _Form(data={})
    assert form.is_valid()
    error = Invalid({"title": "标题不能为空。", "__all__": "整体有误。", "other": "别处。"})
    add_to_form(form, error)
    assert form.errors["title"] == ["标题不能为空。"]
    assert form.non_field_errors() == ["整体有误。", "别处。"]


def test_add_to_form_renames_a_service_field_and_takes_plain_refusals():
    form = _Form(data={})
    assert form.is_valid()
    add_to_form(form, ValidationError({"title": "太长。"}), fields={"title": "heading"})
    add_to_form(form, Stale("已有其他人办理。"))
    assert form.errors["heading"] == ["太长。"]
    assert form.non_field_errors() == ["已有其他人办理。"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("error", "status", "marker"),
    [
        (NotAllowed("这一步需要由承办人办理。"), 403, "error-403"),
        (Stale("已办理。"), 409, "error-409"),
    ],
)
def test_middleware_turns_an_uncaught_refusal_into_its_page(
    error, status, marker, django_user_model
):
    request = RequestFactory().get("/cases/1/")
    request.user = django_user_model.objects.create_user("clerk")
    middleware = ServiceErrorMiddleware(lambda r: HttpResponse())
    response = middleware.process_exception(request, error)
    assert response.status_code == status
    body = response.content.decode()
    assert marker in body
    assert str(error) in body
    assert middleware.process_exception(request, ValueError("x")) is None
