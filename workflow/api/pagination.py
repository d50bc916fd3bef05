"""Pages of a list: ``?page=`` and ``?page_size=`` (at most 200), with the total count."""

from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = "没有这一页。"
    page_query_description = "页码，从 1 开始。"
    page_size_query_description = "每页条数，默认 50，最多 200。"

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        properties = described["properties"]
        properties["count"]["description"] = "符合条件的总条数。"
        properties["next"]["description"] = "下一页的地址（没有下一页时为 null）。"
        properties["previous"]["description"] = "上一页的地址（没有上一页时为 null）。"
        properties["results"]["description"] = "本页的条目。"
        return described
