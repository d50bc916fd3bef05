"""Statutory periods of an information request, in working days (DOMAIN §2, §3)."""

from __future__ import annotations

from typing import Final

from workflow.letters.regulation import REGULATION

#: Art. 30: the correction notice goes out within 7 working days of receipt.
CORRECTION_WINDOW: Final = 7
#: Art. 32: a third party consulted answers within 15 working days of receiving the letter.
CONSULTATION_DAYS: Final = 15
#: Fee Rules (DOMAIN §3.7): the applicant pays within 20 working days of receiving the notice.
PAYMENT_DAYS: Final = 20

#: What the reasons request (Art. 35) must never ask: the applicant's purpose (DOMAIN §3.4).
PURPOSE_WORDS: Final = ("用途", "目的", "用于何")

#: The Regulation's name as the letters cite it (one constant for both apps).
REG: Final = REGULATION
