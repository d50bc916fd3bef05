"""Fee Rules (国办函〔2020〕109号) Art. 4: progressive per-page and per-piece scales.

DOMAIN §3.7.
"""

import pytest

from requests_app.rules.fees import fee_per_page, fee_per_piece, piece_price


@pytest.mark.parametrize(
    ("pages", "total"),
    [(1, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740), (2219, 83460)],
)
def test_per_page_fee_prices_each_band_on_its_own_part(pages, total):
    assert fee_per_page(pages).total == total


def test_per_page_calculation_is_shown_band_by_band():
    lines = fee_per_page(236).describe()
    assert lines == [
        "第1—30页：30页，免费",
        "第31—100页：70页×10元/页＝700元",
        "第101—200页：100页×20元/页＝2000元",
        "第201—236页：36页×40元/页＝1440元",
    ]


@pytest.mark.parametrize(
    ("ordinal", "price"),
    [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (51, 400)],
)
def test_piece_price_rises_by_100_for_each_band_of_ten_after_30(ordinal, price):
    assert piece_price(ordinal) == price


def test_per_piece_fee_spans_bands():
    calculation = fee_per_piece(earlier_this_month=28, count=5)
    assert calculation.total == 2 * 100 + 3 * 200
    assert [line.describe() for line in calculation.lines] == [
        "第29—30件：2件×100元/件＝200元",
        "第31—33件：3件×200元/件＝600元",
    ]


def test_reduction_never_makes_the_fee_negative():
    assert fee_per_page(50, reduction=1000).due == 0
    assert fee_per_page(50, reduction=100).due == 100


def test_invalid_quantities_are_refused():
    with pytest.raises(ValueError):
        fee_per_page(0)
    with pytest.raises(ValueError):
        piece_price(0)
