"""Checks of applicants' identifiers (pure, no Django): resident ID numbers and credit codes."""

from __future__ import annotations

from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id_check_char(first17: str) -> str:
    """The check character of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_problem(value: str, *, today: date) -> str | None:
    """Why ``value`` is not a valid 18-digit resident ID number, in Chinese; None when valid.

    ``today``: the caller's date (Asia/Shanghai); a birth date after it is refused."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        return f"公民身份号码应为18位，填写的是{len(value)}位。"
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "公民身份号码前17位应为数字，最后一位为数字或X。"
    if value[0] not in "123456789":
        return "公民身份号码的地址码不正确。"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"公民身份号码中的出生日期{value[6:14]}不是有效日期。"
    if born < date(1900, 1, 1) or born > today:
        return f"公民身份号码中的出生日期{value[6:14]}不合理。"
    if resident_id_check_char(value[:17]) != value[17]:
        return "公民身份号码的校验码不正确，请核对是否有错填的数字。"
    return None


def credit_code_check_char(first17: str) -> str:
    """The check character of a unified social credit code (GB 32100-2015)."""
    total = sum(_USCC_CHARSET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARSET[(31 - total % 31) % 31]


def credit_code_problem(value: str) -> str | None:
    """Why ``value`` is not a valid unified social credit code, in Chinese; None when valid."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        return f"统一社会信用代码应为18位，填写的是{len(value)}位。"
    bad = sorted({ch for ch in value if ch not in _USCC_CHARSET})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用字母I、O、Z、S、V）。"
    if not value[2:8].isdigit():
        return "统一社会信用代码第3至8位应为行政区划码（数字）。"
    if credit_code_check_char(value[:17]) != value[17]:
        return "统一社会信用代码的校验码不正确，请核对是否有错填的字符。"
    return None
