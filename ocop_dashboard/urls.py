from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from core import views as health_views

from . import views

dashboard_patterns = (
    [
        path("", views.overview, name="overview"),
        path("bang/tinh.<str:fmt>", views.overview_download, name="overview_table"),
        path("tinh/<slug:slug>/", views.province, name="province"),
        path("tinh/<slug:slug>/progress.json", views.progress_json, name="progress_json"),
        path("tinh/<slug:slug>/bang/<slug:table>.<str:fmt>", views.table_download, name="table"),
        path("tinh/<slug:slug>/san-pham/", views.product_list, name="products"),
        path("tinh/<slug:slug>/san-pham.<str:fmt>", views.product_download, name="products_download"),
        path("tinh/<slug:slug>/products.json", views.products_json, name="products_json"),
        path("tinh/<slug:slug>/chu-the/", views.producer_list, name="producers"),
    ],
    "dashboard",
)

urlpatterns = [
    # Browsers ask for /favicon.ico on every page, the admin's included.
    path("favicon.ico", views.favicon),
    # For monitors and load balancers (docs/deployment.md): open to all, answered over plain HTTP too.
    path("healthz", health_views.healthz, name="healthz"),
    path("readyz", health_views.readyz, name="readyz"),
    re_path(r"^admin/products/importrecord/(?P<rest>.*)$", views.old_import_address),
    path("admin/", admin.site.urls),
    # Without a form token: switching the language only stores a preference, and a page that carries
    # no token can be kept whole for every visitor not signed in (core.caching.shared_page).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("", include("provinces.urls")),
    path("", include(dashboard_patterns)),
]

# Our pages in Vietnamese and English (JSON to JSON requests), rendered without the database.
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
