"""The request steps' permission table: one place says who may do what."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from requests_app import permissions
from requests_app.flows import TASK_ROLES as FLOW_TASK_ROLES
from workflow.errors import NotAllowed
from workflow.models import Agency
from workflow.roles import ROLES

pytestmark = pytest.mark.database


def test_every_step_names_known_roles():
    for step in permissions.STEPS.values():
        assert set(step.roles) <= set(ROLES)


def test_task_roles_are_the_first_role_of_their_step():
    assert permissions.TASK_ROLES["accept"] == "handler"
    assert permissions.TASK_ROLES["correct"] == "registrar"
    assert permissions.TASK_ROLES["approve"] == "office_head"
    assert set(FLOW_TASK_ROLES) == set(permissions.TASK_ROLES)


class _Case:
    def __init__(self, agency):
        self.agency_id = agency.pk


@pytest.mark.django_db
def test_require_names_the_missing_role_and_the_other_agency(django_user_model):
    mine = Agency.objects.create(name="甲局", code="jia")
    other = Agency.objects.create(name="乙局", code="yi")
    clerk = django_user_model.objects.create_user("clerk")
    clerk.groups.add(Group.objects.get_or_create(name="registrar")[0])
    mine.staff.add(clerk)
    permissions.require(clerk, _Case(mine), "serve")
    assert permissions.may(clerk, _Case(mine), "record_correction")
    with pytest.raises(NotAllowed, match="承办人"):
        permissions.require(clerk, _Case(mine), "accept")
    with pytest.raises(NotAllowed, match="其他机关"):
        permissions.require(clerk, _Case(other), "serve")
