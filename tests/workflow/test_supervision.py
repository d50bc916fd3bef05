"""A supervising government's office head sees the agencies below it, and only those."""

import pytest
from django.contrib.auth.models import Group

from workflow.models import Agency
from workflow.selectors import supervised_agencies

pytestmark = pytest.mark.django_db


def _user(django_user_model, name, agency, role):
    user = django_user_model.objects.create_user(name, password="x")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    agency.staff.add(user)
    return user


def test_a_supervisor_sees_every_level_below_and_no_other_branch(django_user_model):
    city = Agency.objects.create(name="某市人民政府", code="city")
    county = Agency.objects.create(name="某县人民政府", code="county", parent=city)
    bureau = Agency.objects.create(name="某县教育局", code="bureau", parent=county)
    other = Agency.objects.create(name="另一市人民政府", code="other")
    Agency.objects.create(name="另一县人民政府", code="other-county", parent=other)

    head = _user(django_user_model, "head", city, "office_head")
    assert set(supervised_agencies(head)) == {county, bureau}

    county_head = _user(django_user_model, "county-head", county, "office_head")
    assert list(supervised_agencies(county_head)) == [bureau]

    handler = _user(django_user_model, "handler", city, "handler")
    assert not supervised_agencies(handler).exists()
