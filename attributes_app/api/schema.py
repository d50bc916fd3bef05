"""How the schema describes the client token (an extension drf-spectacular finds when this
module is imported): ``Authorization: Bearer gk_…``, the ``ClientToken`` scheme of the settings."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "workflow.api.auth.ClientTokenAuthentication"
    name = "ClientToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "gk_…"}
