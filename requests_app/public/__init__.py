"""The public pages of requests: the guide, the published annual reports, the online
application and its tracking (issue #16)."""
