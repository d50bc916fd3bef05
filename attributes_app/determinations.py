"""Determinations that requests wait for (DOMAIN §4.4): kept so that older imports still work.

The reads are in ``attributes_app.selectors``, the answer in
``attributes_app.services.determination``.
"""

from attributes_app.selectors import determinations_waiting, open_requests, waiting_requests
from attributes_app.services.determination import determination_answer

__all__ = [
    "determination_answer",
    "determinations_waiting",
    "open_requests",
    "waiting_requests",
]
