from django.urls import path

from .views import audit_log, pages, pwa

app_name = "core"

urlpatterns = [
    path("favicon.ico", pages.favicon, name="favicon"),
    # The installable web app: served from the root, the service worker's scope.
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("workbench/", pages.workbench, name="workbench"),
    path("inbox/", pages.inbox, name="inbox"),
    path("inbox/read/", pages.inbox_mark_read, name="inbox_mark_read"),
    path("modules/<slug:module>/", pages.under_construction, name="under_construction"),
    path("audit/", audit_log.audit_log, name="audit_log"),
    path("audit/verify/", audit_log.audit_verify, name="audit_verify"),
    path("audit/export.xlsx", audit_log.audit_export, name="audit_export"),
]

# Working-day calendar (工作日历).
from .views import calendar as calendar_views  # noqa: E402

urlpatterns += [
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/import/", calendar_views.calendar_import, name="calendar_import"),
    path(
        "calendar/<int:pk>/delete/", calendar_views.calendar_day_delete, name="calendar_day_delete"
    ),
]

# Import framework (数据导入): template, upload, errors or preview, commit, progress.
from .views import imports as import_views  # noqa: E402

urlpatterns += [
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/batch/<int:pk>/", import_views.import_batch, name="import_batch"),
    path("imports/batch/<int:pk>/commit/", import_views.import_commit, name="import_commit"),
    path("imports/batch/<int:pk>/discard/", import_views.import_discard, name="import_discard"),
    path("imports/batch/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<slug:kind>/", import_views.import_start, name="import_start"),
    path("imports/<slug:kind>/template.xlsx", import_views.import_template, name="import_template"),
]
