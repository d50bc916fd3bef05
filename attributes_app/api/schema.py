"""How the schema describes the client token (``workflow.api.auth``), for the endpoints here.

drf-spectacular finds extensions by their class being defined; the API frame has none yet, and
an extension for the same class defined there later takes over without conflict."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "workflow.api.auth.ClientTokenAuthentication"
    name = "ClientToken"
    priority = -1

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "gk_…"}
