"""Finding one's tasks (issue #10, points 11 and 12): the menu's 待办 / 待领取 / 已办 with their
counts, tasks only one person can take assigned to them directly, lists by due date, and 领取
as a page about the case with one button (or one click from the list and the case page)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from viewflow.workflow.status import STATUS

from requests_app.flows import by_due_date, inbox_of, queue_of, task_counts
from requests_app.models import InformationRequest
from tests.conftest import _persona
from tests.requests_app.flow_helpers import advance, register, step, task, url
from workflow.models import AuditEvent

pytestmark = pytest.mark.django_db
R = InformationRequest


@pytest.fixture(autouse=True)
def _on_a_working_day():
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        yield


@pytest.fixture
def staff(registrar, handler, office_head, legal_reviewer):
    return {
        "registrar": registrar,
        "handler": handler,
        "office_head": office_head,
        "legal_reviewer": legal_reviewer,
    }


@pytest.fixture
def deputy_head(django_user_model, agency):
    """A second office head: approvals can be taken by either, so they wait in the queue."""
    return _persona(django_user_model, "office_head_2", agency, "office_head")


def at(stage, staff, agency, walk_in, **changes) -> R:
    return advance(register(staff["registrar"], agency, walk_in, **changes), stage, staff)


def menu_count(html: str, name: str) -> int:
    anchor = html.index(f'id="menu-tasks-{name}"')
    start = html.index('class="mdc-list-item__end gk-count"', anchor)
    return int(html[html.index(">", start) + 1 : html.index("</span>", start)])


# -- point 11: the menu and the counts ---------------------------------------------------------


def test_the_menu_shows_waiting_approvals_under_queue_with_their_count(
    client, staff, deputy_head, agency, walk_in
):
    # Three approvals wait; either office head may take them: they are in 待领取, and the menu
    # says so on every page of 依申请公开 (it used to link only to an empty 待办).
    for name in ("甲", "乙", "丙"):
        at("approve", staff, agency, walk_in, applicant_name=name)
    client.force_login(staff["office_head"])
    html = client.get(reverse("requests:cases:index")).content.decode()
    for label in ("待办", "待领取", "已办"):
        assert label in html
    assert menu_count(html, "queue") == 3
    assert menu_count(html, "inbox") == 0
    assert menu_count(html, "archive") == 0
    # 办理任务 opens the list that has something in it.
    response = client.get(reverse("requests:tasks:index"))
    assert response.url == reverse("requests:tasks:queue")
    queue = client.get(response.url).content.decode()
    assert "共 3 条" in queue or "3" in queue[queue.index("vf-list__pagination-summary") :]


def test_counts_are_of_ones_own_agency_and_take_few_queries(
    staff, deputy_head, agency, walk_in, outsider, django_assert_max_num_queries
):
    at("approve", staff, agency, walk_in)
    assert task_counts(outsider) == {"inbox": 0, "queue": 0, "archive": 0}
    head = type(staff["office_head"]).objects.get(pk=staff["office_head"].pk)  # a new request's
    # The agency ids, the roles and three counts that stop at 100 rows.
    with django_assert_max_num_queries(5):
        counts = task_counts(head)
    assert counts == {"inbox": 0, "queue": 1, "archive": 0}


def test_the_menu_counts_stop_at_99_plus(client, staff, deputy_head, agency, walk_in, monkeypatch):
    # An exact count of tens of thousands of tasks would cost every page; past the limit the menu
    # says "1+" (with the real limit, "99+").
    monkeypatch.setattr("requests_app.flows.TASK_COUNT_LIMIT", 1)
    for _ in range(3):
        at("approve", staff, agency, walk_in)
    assert task_counts(staff["office_head"])["queue"] == 2  # counted up to the limit + 1
    client.force_login(staff["office_head"])
    html = client.get(reverse("requests:tasks:queue")).content.decode()
    assert 'aria-label="1+项">1+</span>' in html


def test_a_task_only_one_person_can_take_is_assigned_to_them(staff, agency, walk_in):
    # One office head in the agency: the approval is theirs at once, in their 待办.
    case = at("approve", staff, agency, walk_in)
    approve = task(case, "approve")
    assert (approve.owner, approve.status) == (staff["office_head"], STATUS.ASSIGNED)
    assert list(inbox_of(staff["office_head"])) == [approve]


def test_a_task_several_people_can_take_waits_in_the_queue(staff, deputy_head, agency, walk_in):
    case = at("approve", staff, agency, walk_in)
    approve = task(case, "approve")
    assert (approve.owner, approve.status) == (None, STATUS.NEW)
    assert list(queue_of(deputy_head)) == [approve]


def test_an_inactive_or_other_agencys_officer_does_not_count(
    django_user_model, staff, deputy_head, agency, other_agency, walk_in
):
    deputy_head.is_active = False
    deputy_head.save()
    _persona(django_user_model, "fenyang_head", other_agency, "office_head")
    case = at("approve", staff, agency, walk_in)
    assert task(case, "approve").owner == staff["office_head"]


def test_archiving_goes_to_the_registrar_who_served(
    client, django_user_model, staff, deputy_head, agency, walk_in
):
    second = _persona(django_user_model, "registrar_2", agency, "registrar")
    case = at("serve", staff, agency, walk_in)
    serve = task(case, "serve")
    assert serve.owner is None  # two registrars: in the queue
    step(client, second, case, "serve", "serve", method="electronic", served_on="2026-03-03")
    archive = task(case, "archive")
    assert (archive.owner, archive.status) == (second, STATUS.ASSIGNED)


def test_inbox_and_queue_list_the_soonest_due_first(client, staff, deputy_head, agency, walk_in):
    late = at("approve", staff, agency, walk_in, applicant_name="后到期")
    overdue = at("approve", staff, agency, walk_in, applicant_name="已超期")
    R.objects.filter(pk=overdue.pk).update(due_date=late.due_date - timedelta(days=30))
    ordered = list(by_due_date(queue_of(staff["office_head"])))
    assert [t.process.artifact_object_id for t in ordered] == [overdue.pk, late.pk]
    client.force_login(staff["office_head"])
    html = client.get(reverse("requests:tasks:queue")).content.decode()
    assert html.index("已超期") < html.index("后到期")


# -- point 12: 领取 --------------------------------------------------------------------------


def test_the_take_page_shows_the_case_in_chinese(client, staff, deputy_head, agency, walk_in):
    case = at("approve", staff, agency, walk_in)
    approve = task(case, "approve")
    client.force_login(staff["office_head"])
    response = client.get(url(approve, "assign"))
    assert response.status_code == 200
    html = response.content.decode()
    for shown in (
        case.case_number,
        "张明华",
        "老旧小区改造",
        "答复期限",
        "尚余",
        "审批",
        "领取并办理",
    ):
        assert shown in html
    # Not viewflow's dump of the task's fields, nor its process numbers.
    breadcrumb = f"依申请公开办理 #{approve.process_id}"
    for dumped in ("False", "[]", "排序用期限", "registrar", breadcrumb, f"审批 #{approve.pk}"):
        assert dumped not in html


def test_one_click_takes_the_task_and_opens_it(client, staff, deputy_head, agency, walk_in):
    case = at("approve", staff, agency, walk_in)
    approve = task(case, "approve")
    client.force_login(deputy_head)
    queue = client.get(reverse("requests:tasks:queue")).content.decode()
    assert f'action="{url(approve, "assign")}"' in queue and "领取并办理" in queue
    case_page = client.get(reverse("requests:cases:detail", args=[case.pk])).content.decode()
    assert f'action="{url(approve, "assign")}"' in case_page
    response = client.post(url(approve, "assign"))
    assert response.status_code == 302
    assert response.url == url(approve, "execute")
    approve.refresh_from_db()
    assert (approve.owner, approve.status) == (deputy_head, STATUS.ASSIGNED)
    assert AuditEvent.objects.filter(action="task_taken", object_id=str(case.pk)).count() == 1
    # Completed from there, in the same session.
    response = client.post(url(approve, "execute"), {"_action": "approve", "approve-comment": ""})
    assert response.status_code == 302
    approve.refresh_from_db()
    assert approve.status == STATUS.DONE


def test_the_second_to_click_is_told_who_took_it(client, staff, deputy_head, agency, walk_in):
    case = at("approve", staff, agency, walk_in)
    approve = task(case, "approve")
    client.force_login(deputy_head)
    client.post(url(approve, "assign"))
    client.force_login(staff["office_head"])
    response = client.post(url(approve, "assign"))
    assert response.status_code == 302
    assert response.url == reverse("requests:cases:detail", args=[case.pk])
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert told == ["“审批”已由office_head_2领取，由其办理。"]
    approve.refresh_from_db()
    assert approve.owner == deputy_head


def test_a_provisional_due_date_says_so_in_the_task_lists(
    client, staff, deputy_head, agency, walk_in
):
    # DOMAIN §2: a deadline resting on a year without a State Council schedule is marked provisional
    # wherever it is shown.
    case = at("approve", staff, agency, walk_in, applicant_name="跨年度")
    R.objects.filter(pk=case.pk).update(provisional=True)
    client.force_login(staff["office_head"])
    html = client.get(reverse("requests:tasks:queue")).content.decode()
    row = html[html.index("跨年度") :]
    assert "（暂定）" in row[: row.index("</tr>")]
