"""Each issued letter has its own 文号 (DOMAIN §3.8; GB/T 9704 7.2.5): per agency, year and letter
family, gap-free like case numbers; the body states the case's 登记编号; the receipt and the forms
keep the 登记编号; a later copy of the letter keeps the number it was issued with."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from requests_app.models import CaseDocument, InformationRequest
from requests_app.services import (
    Proposal,
    consultation_send,
    decision_approve,
    decision_propose,
    request_accept,
    request_register,
)
from tests.conftest import d
from tests.letters.helpers import pdf_text, squash
from workflow.letters.models import IssuedLetter, LetterSequence

pytestmark = pytest.mark.django_db
REG = "《中华人民共和国政府信息公开条例》"


def _register(registrar, agency, walk_in):
    return request_register(actor=registrar, agency=agency, data=walk_in(), today=d("2026-03-02"))


def _consult(handler, case, party="third_party", name="某建设公司"):
    return consultation_send(
        actor=handler,
        case_id=case.pk,
        party=party,
        party_name=name,
        matter="合同金额",
        today=d("2026-03-04"),
    )


def numbers(case) -> dict[str, str]:
    documents = CaseDocument.objects.filter(request=case, kind=CaseDocument.Kind.LETTER)
    return dict(documents.values_list("letter_kind", "number"))


def test_each_letter_has_its_own_number_and_states_the_case_number(
    registrar, handler, agency, walk_in
):
    case = _register(registrar, agency, walk_in)
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    _consult(handler, case)
    _consult(handler, case, party="agency", name="孝义市财政局")
    assert numbers(case) == {
        "receipt": "孝政信申〔2026〕1号",  # the receipt states the 登记编号 itself
        "third_party_consultation": "孝政信申函〔2026〕1号",
        "consultation_notice": "孝政信申告〔2026〕1号",
        "agency_consultation": "孝政信申函〔2026〕2号",
    }
    issued = IssuedLetter.objects.filter(object_id=str(case.pk))
    assert dict(issued.values_list("kind", "number")) == numbers(case)
    letter = CaseDocument.objects.get(request=case, letter_kind="third_party_consultation")
    text = squash(pdf_text(letter.file.read()))
    # Its own number where GB/T 9704 puts the 发文字号, the case's 登记编号 in the body.
    assert "孝政信申函〔2026〕1号" in text
    assert "（登记编号：孝政信申〔2026〕1号）" in text


def test_the_sequence_runs_per_agency_and_year_across_cases(registrar, handler, agency, walk_in):
    first, second = (_register(registrar, agency, walk_in) for _ in range(2))
    for case in (first, second):
        request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
        _consult(handler, case)
    assert numbers(second)["third_party_consultation"] == "孝政信申函〔2026〕2号"
    assert numbers(second)["receipt"] == "孝政信申〔2026〕2号"
    assert LetterSequence.objects.get(agency=agency, year=2026, family="letter").last == 2


def test_the_agency_sets_its_prefixes_and_number_style(registrar, handler, agency, walk_in):
    agency.notice_number_prefix = "孝政公告"
    agency.letter_number_prefix = "孝政公函"
    agency.number_style = agency.NumberStyle.WITH_DI
    agency.save()
    case = _register(registrar, agency, walk_in)
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    _consult(handler, case)
    assert numbers(case)["consultation_notice"] == "孝政公告〔2026〕第1号"
    assert numbers(case)["third_party_consultation"] == "孝政公函〔2026〕第1号"


def test_a_letter_that_is_not_issued_uses_no_number(
    registrar, handler, office_head, agency, walk_in
):
    # Gap-free (DOMAIN §3.8): the reply refused for lack of the reconsideration organ takes no
    # number; once the agency is set up, the reply is 复〔2026〕1号.
    case = _register(registrar, agency, walk_in)
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(
            outcome="withheld_state_secret",
            articles=[f"{REG}第十四条", f"{REG}第三十六条第（三）项"],
            reason="经保密审查属于国家秘密",
        ),
        today=d("2026-03-04"),
    )
    organ = agency.reconsideration_organ
    agency.reconsideration_organ = ""
    agency.save()
    with pytest.raises(ValidationError, match="行政复议机关"):
        decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    assert not LetterSequence.objects.filter(family="reply", last__gt=0).exists()
    agency.reconsideration_organ = organ
    agency.save()
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    assert numbers(case)["reply"] == "孝政信申复〔2026〕1号"


@pytest.mark.django_db(transaction=True)
def test_letters_issued_at_once_get_consecutive_numbers(registrar, handler, agency, walk_in):
    count = 4
    cases = [_register(registrar, agency, walk_in) for _ in range(count)]
    for case in cases:
        request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    errors = []
    barrier = threading.Barrier(count)

    def work(case):
        try:
            barrier.wait()
            _consult(handler, case)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    given = sorted(
        CaseDocument.objects.filter(letter_kind="third_party_consultation").values_list(
            "number", flat=True
        )
    )
    assert given == sorted(f"孝政信申函〔2026〕{n}号" for n in range(1, count + 1))
    notices = CaseDocument.objects.filter(letter_kind="consultation_notice")
    assert len(set(notices.values_list("number", flat=True))) == count
    assert LetterSequence.objects.get(agency=agency, year=2026, family="notice").last == count
    assert InformationRequest.objects.filter(stage="consult").count() == count


def test_the_case_file_keeps_each_letters_number_and_the_sheet_lists_them(
    registrar, handler, office_head, agency, walk_in
):
    from pypdf import PdfReader

    from requests_app.services import request_archive, request_serve
    from tests.requests_app.flow_helpers import secrecy_cleared

    case = _register(registrar, agency, walk_in)
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    decision_propose(
        actor=handler,
        case_id=case.pk,
        proposal=Proposal(outcome="disclosed", articles=[f"{REG}第三十六条第（二）项"]),
        today=d("2026-03-04"),
    )
    secrecy_cleared(case, office_head, today=d("2026-03-05"))  # Art. 17 ¶2
    decision_approve(actor=office_head, case_id=case.pk, today=d("2026-03-05"))
    request_serve(
        actor=registrar,
        case_id=case.pk,
        method="direct",
        served_on=d("2026-03-06"),
        today=d("2026-03-06"),
    )
    case_file = request_archive(actor=registrar, case_id=case.pk, today=d("2026-03-09"))
    # Archiving issues no new number: the reply in the case file is the one issued.
    assert LetterSequence.objects.get(agency=agency, year=2026, family="reply").last == 1
    assert numbers(case)["handling_sheet"] == "孝政信申〔2026〕1号"
    text = squash("".join(p.extract_text() for p in PdfReader(case_file.file.path).pages))
    assert text.count("孝政信申复〔2026〕1号") >= 2  # the reply itself, the sheet's list
    sheet = CaseDocument.objects.get(request=case, letter_kind="handling_sheet")
    sheet_text = squash(pdf_text(sheet.file.read()))
    assert "政府信息公开申请答复书孝政信申复〔2026〕1号" in sheet_text
    assert "登记回执孝政信申〔2026〕1号" in sheet_text


def test_the_case_page_lists_every_letter_with_its_number(
    client, registrar, handler, agency, walk_in
):
    from django.urls import reverse

    case = _register(registrar, agency, walk_in)
    request_accept(actor=handler, case_id=case.pk, today=d("2026-03-03"))
    _consult(handler, case)
    client.force_login(handler)
    body = client.get(reverse("requests:cases:detail", kwargs={"pk": case.pk})).content.decode()
    documents = body[body.index('id="documents"') :]
    for number in ("孝政信申〔2026〕1号", "孝政信申函〔2026〕1号", "孝政信申告〔2026〕1号"):
        assert number in documents


def test_a_family_prefix_equal_to_another_is_refused(agency):
    agency.full_clean()
    agency.reply_number_prefix = agency.case_number_prefix
    with pytest.raises(ValidationError) as refused:
        agency.full_clean()
    assert "与登记编号的前缀相同" in refused.value.message_dict["reply_number_prefix"][0]
    agency.reply_number_prefix = ""
    agency.letter_number_prefix = f"{agency.case_number_prefix}告"  # the notices' default
    with pytest.raises(ValidationError, match="与告知书文号的前缀相同"):
        agency.full_clean()
