"""Processing fees (信息处理费) under 国办函〔2020〕109号, as pure functions (DOMAIN §3.7).

Both scales are progressive (超额累进): each band is priced on its own part. One application is
charged by one method only, per piece (按件) or per page (按量).
"""

from dataclasses import dataclass
from enum import StrEnum


class FeeMethod(StrEnum):
    PER_PIECE = "per_piece"
    PER_PAGE = "per_page"


METHOD_LABELS = {FeeMethod.PER_PIECE: "按件计收", FeeMethod.PER_PAGE: "按量计收"}
UNITS = {FeeMethod.PER_PIECE: "件", FeeMethod.PER_PAGE: "页"}

# (first, last or None, unit price in yuan) — Fee Rules Art. 4.
PAGE_BANDS: tuple[tuple[int, int | None, int], ...] = (
    (1, 30, 0),
    (31, 100, 10),
    (101, 200, 20),
    (201, None, 40),
)


@dataclass(frozen=True)
class FeeLine:
    """One band of a calculation: ``count`` units from ``first`` to ``last`` at ``unit_price``."""

    first: int
    last: int
    unit_price: int
    unit: str

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def amount(self) -> int:
        return self.count * self.unit_price

    def describe(self) -> str:
        """The band as a letter shows it: 第31—100页：70页×10元/页＝700元."""
        span = (
            f"第{self.first}{self.unit}"
            if self.first == self.last
            else (f"第{self.first}—{self.last}{self.unit}")
        )
        if self.unit_price == 0:
            return f"{span}：{self.count}{self.unit}，免费"
        return f"{span}：{self.count}{self.unit}×{self.unit_price}元/{self.unit}＝{self.amount}元"


@dataclass(frozen=True)
class FeeCalculation:
    """The result shown in a fee notice: the bands, the total, any reduction and what is due."""

    method: FeeMethod
    quantity: int
    lines: tuple[FeeLine, ...]
    reduction: int = 0

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def due(self) -> int:
        return max(self.total - self.reduction, 0)

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]

    @property
    def unit(self) -> str:
        return UNITS[self.method]

    def describe(self) -> list[str]:
        """Every band that applies, one line each, as printed in the fee notice."""
        return [line.describe() for line in self.lines]


def piece_price(ordinal: int) -> int:
    """Price of the ``ordinal``-th application of one applicant in one calendar month.

    1–10 free; 11–30 100 yuan; from 31, each further band of 10 costs 100 yuan more
    (31–40: 200, 41–50: 300, …).
    """
    if ordinal < 1:
        raise ValueError("件数从1开始计算。")
    if ordinal <= 10:
        return 0
    if ordinal <= 30:
        return 100
    return 100 * (1 + (ordinal - 31) // 10 + 1)


def _piece_band_end(ordinal: int) -> int:
    if ordinal <= 10:
        return 10
    if ordinal <= 30:
        return 30
    return 30 + ((ordinal - 31) // 10 + 1) * 10


def fee_per_piece(*, earlier_this_month: int, count: int = 1, reduction: int = 0) -> FeeCalculation:
    """Fee for ``count`` pieces after the applicant's ``earlier_this_month`` pieces this month."""
    if earlier_this_month < 0 or count < 1:
        raise ValueError("件数不正确。")
    lines: list[FeeLine] = []
    ordinal, last = earlier_this_month + 1, earlier_this_month + count
    while ordinal <= last:
        end = min(_piece_band_end(ordinal), last)
        lines.append(FeeLine(ordinal, end, piece_price(ordinal), "件"))
        ordinal = end + 1
    return FeeCalculation(FeeMethod.PER_PIECE, count, tuple(lines), reduction)


def fee_per_page(pages: int, *, reduction: int = 0) -> FeeCalculation:
    """Fee for ``pages`` pages (paper, e-mail or copied electronic data), band by band."""
    if pages < 1:
        raise ValueError("页数应当大于0。")
    lines = []
    for first, last, price in PAGE_BANDS:
        if pages < first:
            break
        lines.append(FeeLine(first, pages if last is None else min(last, pages), price, "页"))
    return FeeCalculation(FeeMethod.PER_PAGE, pages, tuple(lines), reduction)
