"""The API for the systems around Gongkai (``/api/v1/``, docs/api.md): its clients and tokens,
scopes, errors, throttling, idempotency keys and ETags. The endpoints live with their apps
(``requests_app.api``, ``attributes_app.api``) and call the same services as the pages."""
