"""The API's endpoints of attributes_app (docs/api.md); the framework is ``workflow.api``."""
