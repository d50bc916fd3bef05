"""Forms that start from what the case already says (issue #10, point 16): walk-ins collect
their reply, the proposal offers the form the applicant asked for and takes withheld parts as
rows, only the fields of the chosen outcome are shown, the approval shows what will be
provided, the service form starts from the applicant's choice, and the case list opens on the
open cases."""

import re

import pytest
import time_machine
from django.urls import reverse

from requests_app.forms import RegistrationForm
from requests_app.models import InformationRequest
from requests_app.task_forms import ProposalForm, ServeForm
from tests.conftest import d
from tests.requests_app.flow_helpers import REG, advance, execute, refreshed, register, task, url

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


def test_a_walk_in_collects_the_reply_by_default(client, registrar):
    assert RegistrationForm.defaults(d("2026-03-03"))["delivery"] == R.Delivery.COLLECT
    client.force_login(registrar)
    html = client.get(reverse("requests:register:index")).content.decode()
    checked = re.search(r'<(input|option)[^>]*value="collect"[^>]*>', html).group(0)
    assert "checked" in checked or "selected" in checked


@pytest.mark.parametrize(
    ("delivery", "method"),
    [("collect", "direct"), ("post", "post"), ("email", "electronic"), ("online", "electronic")],
)
def test_the_service_form_starts_from_the_applicants_choice(
    staff, agency, walk_in, delivery, method
):
    extra = {"address": "孝义市府前街1号"} if delivery == "post" else {}
    case = register(staff["registrar"], agency, walk_in, delivery=delivery, **extra)
    assert ServeForm(case=case, prefix="serve")["method"].initial == method


def test_the_proposal_offers_the_form_the_applicant_asked_for(staff, agency, walk_in):
    case = register(staff["registrar"], agency, walk_in, form_wanted="paper")
    assert ProposalForm(case=case, prefix="propose")["provide_form"].initial == "paper"


def _proposal(**rows):
    return {
        "outcome": "partly_disclosed",
        "articles": f"{REG}第三十七条",
        "provided": "资金拨付明细表",
        "provide_form": "electronic",
        **rows,
    }


def test_withheld_parts_are_typed_as_rows(client, staff, agency, walk_in):
    # Art. 37: each withheld part with its reason and basis, in cells of its own.
    case = advance(register(staff["registrar"], agency, walk_in), "propose", staff)
    response = execute(
        client,
        staff["handler"],
        task(case, "propose"),
        "propose",
        **_proposal(
            withheld_0_description="身份证号码",
            withheld_0_reason="个人隐私",
            withheld_0_basis=f"{REG}第十五条",
            withheld_2_description="银行账号",
            withheld_2_reason="个人隐私",
            withheld_2_basis=f"{REG}第十五条",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    parts = refreshed(case).decision.withheld_parts
    assert [p["description"] for p in parts] == ["身份证号码", "银行账号"]
    assert parts[0] == {
        "description": "身份证号码",
        "reason": "个人隐私",
        "basis": f"{REG}第十五条",
    }


def test_an_incomplete_row_is_refused_and_every_typed_row_comes_back(
    client, staff, agency, walk_in
):
    case = advance(register(staff["registrar"], agency, walk_in), "propose", staff)
    response = execute(
        client,
        staff["handler"],
        task(case, "propose"),
        "propose",
        **_proposal(
            withheld_0_description="身份证号码",
            withheld_0_reason="个人隐私",
            withheld_0_basis=f"{REG}第十五条",
            withheld_1_description="银行账号",
            withheld_2_description="家庭住址",
            withheld_2_reason="个人隐私",
            withheld_2_basis="第十五条",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "缺少理由、依据" in html
    for typed in ("身份证号码", "银行账号", "家庭住址"):
        assert f'value="{typed}"' in html
    assert 'name="propose-withheld_3_description"' in html  # and an empty row to add one
    assert refreshed(case).stage == R.Stage.PROPOSE


def test_the_proposal_page_knows_which_fields_each_outcome_needs(client, staff, agency, walk_in):
    case = advance(register(staff["registrar"], agency, walk_in), "propose", staff)
    client.force_login(staff["handler"])
    html = client.get(url(task(case, "propose"), "execute")).content.decode()
    assert 'id="gk-outcome-fields"' in html
    assert '"search_description": ["not_held"]' in html
    assert 'id="field-withheld"' in html and "｜" not in html


def test_the_approval_page_shows_what_will_be_provided(client, staff, agency, walk_in):
    case = advance(register(staff["registrar"], agency, walk_in), "propose", staff)
    execute(
        client,
        staff["handler"],
        task(case, "propose"),
        "propose",
        **_proposal(
            withheld_0_description="身份证号码",
            withheld_0_reason="个人隐私",
            withheld_0_basis=f"{REG}第十五条",
        ),
    )
    client.force_login(staff["office_head"])
    html = client.get(url(task(case, "approve"), "execute")).content.decode()
    provided = html[html.index('id="provided"') :]
    provided = provided[: provided.index("</dd>")]
    assert "资金拨付明细表" in provided
    assert "电子文件" in provided


def test_the_case_list_shows_open_cases_unless_asked_for_finished_ones(
    client, staff, agency, walk_in
):
    open_case = register(staff["registrar"], agency, walk_in, applicant_name="在办甲")
    closed = advance(
        register(staff["registrar"], agency, walk_in, applicant_name="办结乙"), "closed", staff
    )
    assert closed.stage == R.Stage.CLOSED
    client.force_login(staff["handler"])
    index = reverse("requests:cases:index")
    default = client.get(index).content.decode()
    assert open_case.applicant_name in default and "办结乙" not in default
    finished = client.get(index, {"show": "closed"}).content.decode()
    assert "办结乙" in finished and "在办甲" not in finished
    everything = client.get(index, {"show": "all"}).content.decode()
    assert "办结乙" in everything and "在办甲" in everything


def test_registering_an_application_already_past_its_due_date_warns(client, registrar, agency):
    from tests.requests_app.test_views import form_data

    client.force_login(registrar)
    # Posted on 2 January, recorded only in March: 20 working days are long over (Art. 33).
    data = form_data(
        agency, channel="registered_post", arrival_date="2026-01-02", receipt_date="2026-01-02"
    )
    response = client.post(reverse("requests:register:index"), data)
    assert response.status_code == 302
    assert "notice=registered_late" in response.url
    html = client.get(response.url).content.decode()
    notice = html[html.index('id="notice"') - 40 : html.index('id="notice"') + 300]
    assert "gk-warning" in notice and "登记时即已超期" in notice
