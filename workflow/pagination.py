"""Pages of long lists whose COUNT is bounded, so that a big agency's list stays fast."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

#: Rows counted past the start of the shown page; beyond, the page says "more than".
COUNT_LIMIT = 1000
#: Page numbers past this are not taken literally (an SQL LIMIT must fit in 64 bits).
MAX_PAGE = 10**9


class BoundedCountPaginator(Paginator):
    """A paginator that counts rows only up to a bound instead of all of them.

    ``COUNT(*)`` over a list of 90,000 cases reads 90,000 index entries on every page view, to
    print one number. This paginator counts up to ``bound``, the first multiple of ``limit`` at
    or past the end of the requested page (1000 for pages 1–50 of 20 rows), plus one row to know
    whether there are more. When there are, ``exact`` is false and the page says "more than
    ``bound``"; the next page is still offered, and counts further. Beyond the bound it would be
    a guess, so there is no "last page" link.
    """

    def __init__(self, object_list, per_page, *, number=None, limit: int | None = None):
        super().__init__(object_list, per_page)
        limit = limit or COUNT_LIMIT
        try:
            self.requested = min(max(1, int(number)), MAX_PAGE)
        except (TypeError, ValueError):
            self.requested = 1
        end = self.requested * self.per_page
        self.bound = -(-end // limit) * limit

    @cached_property
    def count(self) -> int:
        # Ordering does not change a count; without it the database may stop at the bound
        # instead of sorting every match first.
        return self.object_list.order_by()[: self.bound + 1].count()

    @property
    def exact(self) -> bool:
        return self.count <= self.bound

    def get_page(self, number=None):
        """The page asked for at construction; past the end, the last page.

        A number that is not a page (``abc``, ``0``, ``-3``) gives the first page: Django would
        give the last, which is not known when the count stopped at the bound.
        """
        return super().get_page(self.requested)
