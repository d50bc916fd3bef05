"""Who may see and do which task (DOMAIN §1): by role, and only for their own agency's cases.

viewflow's flow-level permission alone would let any officer with the view permission see every
process (research §4, #505); every task URL is checked here for an officer of another agency.
"""

import pytest
import time_machine
from django.urls import reverse
from viewflow.workflow.status import STATUS

from requests_app.flows import RequestFlow, process_for
from tests.requests_app.flow_helpers import assign, open_tasks, register, task, url

pytestmark = [pytest.mark.django_db, pytest.mark.case(process=True)]


@pytest.fixture(autouse=True)
def _on_a_working_day():
    with time_machine.travel("2026-03-03 09:00 +0800", tick=False):
        yield


@pytest.fixture
def outsider_case(django_user_model, other_agency, walk_in):
    """A case of the other agency, registered by its own registrar."""
    from django.contrib.auth.models import Group

    clerk = django_user_model.objects.create_user(username="fenyang_registrar", password="pw")
    clerk.groups.add(Group.objects.get_or_create(name="registrar")[0])
    other_agency.staff.add(clerk)
    return register(clerk, other_agency, walk_in, applicant_name="李四")


TASK_URLS = ["index", "detail", "assign", "execute", "unassign", "cancel", "undo", "revive"]


@pytest.mark.parametrize("action", TASK_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_officer_of_another_agency_gets_404_on_every_task_url(
    client, case, outsider, action, method
):
    accept = task(case, "accept")
    client.force_login(outsider)
    response = getattr(client, method)(url(accept, action))
    assert response.status_code == 404
    accept.refresh_from_db()
    assert (accept.owner, accept.status) == (None, STATUS.NEW)


@pytest.mark.parametrize("action", ["index", "detail", "assign", "execute", "unassign"])
def test_an_assigned_task_is_a_404_for_an_outsider_too(client, case, handler, outsider, action):
    accept = task(case, "accept")
    assign(client, handler, accept)
    client.force_login(outsider)
    response = client.post(url(accept, action), {"_action": "accept"})
    assert response.status_code == 404
    assert open_tasks(case) == ["accept"]


def test_gateway_and_timer_pages_are_a_404_for_an_outsider(client, case, handler, outsider):
    from requests_app.services import request_ask_correction

    request_ask_correction(actor=handler, case_id=case.pk, items=["请写明文件名称"])
    from requests_app.flows import sync_process

    sync_process(case)
    process = process_for(case)
    client.force_login(outsider)
    for node in (RequestFlow.start, RequestFlow.route, RequestFlow.correct__timeout):
        node_task = process.task_set.filter(flow_task=node).first()
        for action in ("index", "detail"):
            response = client.get(node.reverse(action, args=[process.pk, node_task.pk]))
            assert response.status_code == 404, (node, action)


@pytest.mark.parametrize("name", ["process_detail", "process_cancel", "process_chart"])
def test_process_pages_are_a_404_for_an_outsider(client, case, outsider, name):
    client.force_login(outsider)
    response = client.get(reverse(f"requests:tasks:{name}", args=[process_for(case).pk]))
    assert response.status_code == 404


def test_process_pages_open_for_own_staff(client, case, handler):
    client.force_login(handler)
    response = client.get(reverse("requests:tasks:process_detail", args=[process_for(case).pk]))
    assert response.status_code == 200
    # The page is the case's process: its number, its applicant, the registration done and
    # the acceptance waiting.
    text = response.content.decode()
    assert case.case_number in text and "张明华" in text
    assert "登记" in text and "受理审查" in text


def test_a_task_of_another_process_cannot_be_reached_through_ones_own_process(
    client, case, outsider_case, outsider
):
    # The outsider's own process in the URL, the other agency's task id after it.
    theirs = task(case, "accept")
    client.force_login(outsider)
    own_process = process_for(outsider_case)
    response = client.post(RequestFlow.accept.reverse("assign", args=[own_process.pk, theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.owner is None


def test_lists_show_only_own_agency_tasks(client, case, outsider_case, outsider, handler):
    client.force_login(outsider)
    queue = client.get(reverse("requests:tasks:queue"))
    assert queue.status_code == 200
    text = queue.content.decode()
    assert outsider_case.case_number in text or "李四" in text
    assert "张明华" not in text
    client.force_login(handler)
    text = client.get(reverse("requests:tasks:queue")).content.decode()
    assert "张明华" in text and "李四" not in text
    assign(client, handler, task(case, "accept"))
    client.force_login(outsider)
    for name in ("inbox", "queue", "archive"):
        response = client.get(reverse(f"requests:tasks:{name}"))
        assert response.status_code == 200
        assert "张明华" not in response.content.decode()


def test_flow_wide_lists_are_not_served(client, handler):
    client.force_login(handler)
    assert client.get(reverse("requests:tasks:index")).status_code == 302
    assert client.get("/requests/tasks/flows/").status_code == 404
    assert client.get("/requests/tasks/tasks/").status_code == 404


def test_bulk_assign_refuses_another_agencys_task(client, case, outsider):
    accept = task(case, "accept")
    client.force_login(outsider)
    response = client.post(
        reverse("requests:tasks:tasks_assign"), {"pk": [accept.pk], "_confirm": "1"}
    )
    assert response.status_code in (302, 403, 404)
    accept.refresh_from_db()
    assert accept.owner is None
    response = client.post(
        reverse("requests:tasks:tasks_assign"), {"select_all": "1", "_confirm": "1"}
    )
    accept.refresh_from_db()
    assert accept.owner is None


# Role × own agency: each task is for one role (DOMAIN §1, §3.1).
ROLE_OF_ACCEPT = {
    "handler": True,
    "registrar": False,
    "office_head": False,
    "legal_reviewer": False,
}


@pytest.mark.parametrize(("role", "allowed"), ROLE_OF_ACCEPT.items())
def test_only_the_tasks_role_can_take_it(client, case, request, role, allowed):
    user = request.getfixturevalue(role)
    accept = task(case, "accept")
    client.force_login(user)
    queue = client.get(reverse("requests:tasks:queue")).content.decode()
    assert ("张明华" in queue) is allowed
    if allowed:
        assert client.get(url(accept, "index"))["Location"] == url(accept, "assign")
        assert client.get(url(accept, "assign")).status_code == 200
    response = client.post(url(accept, "assign"))
    accept.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert accept.owner == user
    else:
        assert response.status_code == 403
        assert accept.owner is None


def test_only_the_owner_can_execute(client, case, handler, office_head):
    accept = task(case, "accept")
    assign(client, handler, accept)
    client.force_login(office_head)
    response = client.post(url(accept, "execute"), {"_action": "accept"})
    assert response.status_code in (302, 403)
    assert open_tasks(case) == ["accept"]
    client.force_login(handler)
    assert client.get(url(accept, "execute")).status_code == 200


def test_approval_is_for_the_office_head_and_legal_review_for_the_legal_reviewer(
    client, case, handler, office_head, legal_reviewer, django_user_model, agency
):
    from requests_app.services import Proposal, decision_propose, request_accept
    from tests.conftest import _persona

    # Two legal reviewers: the review waits in the queue instead of going to the only one.
    _persona(django_user_model, "legal_reviewer_2", agency, "legal_reviewer")

    request_accept(actor=handler, case_id=case.pk)
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(
            outcome="not_held",
            articles=["《中华人民共和国政府信息公开条例》第三十六条第（四）项"],
            search_description="检索了2025年全部收文",
            needs_legal_review=True,
        ),
    )
    from requests_app.flows import sync_process

    sync_process(case)
    review = task(case, "legal_review")
    client.force_login(office_head)
    assert client.post(url(review, "assign")).status_code == 403
    assign(client, legal_reviewer, review)


def test_task_lists_count_their_rows_in_chinese(client, case, handler):
    client.force_login(handler)
    queue = client.get(reverse("requests:tasks:queue")).content.decode()
    summary = queue[queue.index("vf-list__pagination-summary") :]
    summary = summary[: summary.index("</span>")]
    assert "第 1–1 条，共 1 条" in summary
    assert " of " not in summary
    assert 'aria-label="上一页"' not in queue  # one page: nothing to go back to
    inbox = client.get(reverse("requests:tasks:inbox")).content.decode()
    assert "共 0 条" in inbox


def test_task_lists_count_only_up_to_a_bound_and_offer_select_all_only_when_exact(
    client, case, handler, registrar, agency, walk_in, monkeypatch
):
    """待办 of a busy handler: the count stops at the bound (pages of 1 row, bound 2 here), the
    page says "more than", and viewflow's "select all N" is not offered with a wrong N."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from requests_app.flows import inbox_of
    from requests_app.views.tasks import InboxView

    for name in ("王一", "王二", "王三"):
        register(registrar, agency, walk_in, applicant_name=name)
    assert inbox_of(handler).count() == 3  # the only handler gets each new case's task
    monkeypatch.setattr(InboxView, "paginate_by", 1)
    monkeypatch.setattr(InboxView, "count_limit", 2)
    client.force_login(handler)

    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("requests:tasks:inbox")).content.decode()
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts, "the list counts its rows"
    # every count on the page reads at most bound + 1 rows (the menu's numbers are bounded too)
    assert all("LIMIT" in sql.upper() for sql in counts), counts
    assert "第 1–1 条，超过 2 条" in first
    assert "data-total-items-count" not in first
    assert 'aria-label="下一页"' in first

    last = client.get(reverse("requests:tasks:inbox"), {"page": 3}).content.decode()
    assert "第 3–3 条，共 3 条" in last
    assert 'data-total-items-count="3"' in last  # exact: "select all 3" may be offered
    for page in ("abc", "0", "-3", "99999999999999999999"):
        assert client.get(reverse("requests:tasks:inbox"), {"page": page}).status_code == 200
