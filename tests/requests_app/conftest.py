from datetime import date

import pytest

from requests_app.services import Registration


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def walk_in():
    """A walk-in application by a person, received the day it is handed in (Art. 31)."""

    def make(**changes) -> Registration:
        values = {
            "channel": "in_person",
            "arrival_date": date(2026, 3, 2),
            "receipt_date": date(2026, 3, 2),
            "applicant_kind": "person",
            "applicant_name": "张明华",
            "id_type": "resident_id",
            "id_number": "11010519491231002X",
            "phone": "13800000000",
            "description": "2025年孝义市城区老旧小区改造项目的资金拨付明细",
            "form_wanted": "electronic",
            "delivery": "email",
            "email": "zhang@example.com",
        }
        values.update(changes)
        return Registration(**values)

    return make
