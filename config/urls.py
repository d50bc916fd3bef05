from django.contrib import admin
from django.urls import include, path

from config.site import auth, site
from workflow.health import healthz

admin.site.site_header = "公开 · 系统管理"
admin.site.site_title = "公开 · 系统管理"
admin.site.index_title = "系统管理"

handler400 = "workflow.middleware.bad_request"
handler403 = "workflow.middleware.permission_denied"
handler404 = "workflow.middleware.page_not_found"
handler500 = "workflow.middleware.server_error"

urlpatterns = [
    # For load balancers and monitors: no login, JSON (workflow.health).
    path("healthz", healthz, name="healthz"),
    # The API for other systems (docs/api.md): token auth, JSON, its own error shape.
    path("api/v1/", include("config.api_urls")),
    # The public side (issue #16): each agency's guide, directory, catalogue, annual reports and
    # online applications, for everyone; its own templates, no staff session (workflow.public).
    # The online application's CAPTCHA images, under /public/ so that no staff session goes
    # with them (django-simple-captcha's views, counted per address; no agency has the code
    # "captcha").
    path("public/captcha/", include("requests_app.public.captcha")),
    path("public/", include("config.public_urls")),
    path("accounts/", auth.urls),
    path("admin/", admin.site.urls),
    path("", site.urls),
]
