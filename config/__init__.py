"""Project configuration: settings, URLs, the staff site's assembly and the WSGI entry point.

It sits above the apps (``requests_app``, ``attributes_app``) and the shared engine (``workflow``):
it may import any of them, and none of them imports it.
"""
