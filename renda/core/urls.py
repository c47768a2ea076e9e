from django.urls import path

from .views import audit_log, pages

app_name = "core"

urlpatterns = [
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
