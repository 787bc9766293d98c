from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("opsqm.dashboards.urls")),
    path("accounts/", include("opsqm.accounts.urls")),
    path("org/", include("opsqm.org.urls")),
    path("tickets/", include("opsqm.tickets.urls")),
    path("checklists/", include("opsqm.checklists.urls")),
    path("audits/", include("opsqm.audits.urls")),
    path("jobs/", include("opsqm.jobs.urls")),
    path("records/", include("opsqm.records.urls")),
    path("findings/", include("opsqm.findings.urls")),
    path("improvements/", include("opsqm.findings.improvement_urls")),
    path("kpis/", include("opsqm.kpis.urls")),
    path("notifications/", include("opsqm.notifications.urls")),
    path("surveys/", include("opsqm.surveys.urls")),
    path("s/", include("opsqm.surveys.public_urls")),
    path("help/", include("opsqm.help.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", include("opsqm.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),  # JS as a file: works under the CSP
    path("plans/", include("opsqm.plans.urls")),
    path("quarterly/", include("opsqm.quarterly.urls")),
    path("admin/", admin.site.urls),
    path("documents/", include("opsqm.documents.urls")),
    path("reviews/", include("opsqm.reviews.urls")),
    path("archive/", include("opsqm.archive.urls")),
]

admin.site.site_header = "opsqm 系统管理"
admin.site.site_title = "opsqm 系统管理"

handler400 = "opsqm.errors.bad_request"
handler403 = "opsqm.errors.permission_denied"
handler404 = "opsqm.errors.page_not_found"
handler500 = "opsqm.errors.server_error"
