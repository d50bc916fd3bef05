"""Personas of the document register: drafters of two units, a unit head, a secrecy reviewer."""

import pytest

from attributes_app.services import DocumentData, document_register, drafting_unit_save
from tests.conftest import _persona


@pytest.fixture
def drafter(django_user_model, agency):
    return _persona(django_user_model, "drafter", agency, "drafter")


@pytest.fixture
def unit_head(django_user_model, agency):
    return _persona(django_user_model, "unit_head", agency, "drafting_unit_head")


@pytest.fixture
def secrecy_reviewer(django_user_model, agency):
    return _persona(django_user_model, "secrecy_reviewer", agency, "secrecy_reviewer")


@pytest.fixture
def other_drafter(django_user_model, agency):
    """A drafter of the same agency, member of another drafting unit."""
    return _persona(django_user_model, "other_drafter", agency, "drafter")


@pytest.fixture
def other_head(django_user_model, agency):
    return _persona(django_user_model, "other_head", agency, "drafting_unit_head")


@pytest.fixture
def unit(admin_user, agency, drafter, unit_head):
    return drafting_unit_save(
        actor=admin_user, agency=agency, name="综合科", members=[drafter], heads=[unit_head]
    )


@pytest.fixture
def other_unit(admin_user, agency, other_drafter, other_head):
    return drafting_unit_save(
        actor=admin_user,
        agency=agency,
        name="法规科",
        members=[other_drafter],
        heads=[other_head],
    )


@pytest.fixture
def draft(drafter, agency, unit):
    """Register a draft of ``unit`` as its drafter (keyword changes go to DocumentData)."""

    def make(**changes):
        today = changes.pop("today", None)
        values = {
            "title": "关于做好2026年城区老旧小区改造工作的通知",
            "drafting_unit_id": unit.pk,
            "kind": "other",
        }
        values.update(changes)
        return document_register(
            actor=drafter, agency=agency, data=DocumentData(**values), today=today
        )

    return make
