from django.contrib import admin
from django.urls import include, path

from config.site import auth, site
from workflow.health import healthz

admin.site.site_header = "公开 · 系统管理"
admin.site.site_title = "公开 · 系统管理"
admin.site.index_title = "系统管理"

handler404 = "workflow.middleware.page_not_found"
handler500 = "workflow.middleware.server_error"

urlpatterns = [
    # For load balancers and monitors: no login, JSON (workflow.health).
    path("healthz", healthz, name="healthz"),
    # The API for other systems (docs/api.md): token auth, JSON, its own error shape.
    path("api/v1/", include("config.api_urls")),
    path("accounts/", auth.urls),
    path("admin/", admin.site.urls),
    path("", site.urls),
]
