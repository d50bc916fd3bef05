"""The API's endpoints of requests_app (docs/api.md); the framework is ``workflow.api``."""
