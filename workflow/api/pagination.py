"""Pages of a list: ``?page=`` and ``?page_size=`` (at most 200), with the total count."""

from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = "没有这一页。"
