"""Applicant identifiers: 18-digit resident ID (GB 11643-1999), credit code (GB 32100-2015)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from requests_app.identity import (
    credit_code_check_char,
    credit_code_problem,
    resident_id_check_char,
    resident_id_problem,
)

# The sample number printed in GB 11643-1999 and its check character.
STANDARD_SAMPLE_ID = "11010519491231002X"
# A credit code built for the tests: 91 (enterprise) + region 140000 + organisation code.
CODE17 = "91140000MA0GRXXH8"


def test_the_standard_sample_id_is_valid():
    assert resident_id_check_char(STANDARD_SAMPLE_ID[:17]) == "X"
    assert resident_id_problem(STANDARD_SAMPLE_ID, today=date(2026, 11, 22)) is None
    assert resident_id_problem(STANDARD_SAMPLE_ID.lower(), today=date(2026, 11, 22)) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "校验码不正确"),
        ("11010519491231002", "应为18位"),
        ("1101051949123100AX", "前17位应为数字"),
        ("110105194902300028", "不是有效日期"),
        ("011105194912310021", "地址码不正确"),
        ("110105219912310021", "不合理"),
    ],
)
def test_bad_resident_ids_are_explained(value, message):
    assert message in resident_id_problem(value, today=date(2026, 11, 22))


def test_credit_code_check_character():
    code = CODE17 + credit_code_check_char(CODE17)
    assert credit_code_problem(code) is None
    wrong = "0" if code[-1] != "0" else "1"
    assert "校验码不正确" in credit_code_problem(code[:-1] + wrong)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("91140000MA0GRXXH8", "应为18位"),
        ("91140000MA0GRXXI80", "不允许的字符：I"),
        ("9114A000MA0GRXXH80", "行政区划码"),
    ],
)
def test_bad_credit_codes_are_explained(value, message):
    assert message in credit_code_problem(value)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_any_single_digit_error_in_an_id_is_caught(first17):
    # MOD 11-2 detects every single-character substitution.
    valid = first17 + resident_id_check_char(first17)
    for i in range(17):
        for digit in "0123456789":
            if digit != valid[i]:
                changed = valid[:i] + digit + valid[i + 1 :]
                assert resident_id_check_char(changed[:17]) != changed[17]
                break
