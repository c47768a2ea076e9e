from django.urls import include, path

from renda.api import api

urlpatterns = [
    path("", include("renda.portal.urls")),
    path("accounts/", include("renda.accounts.urls")),
    path("", include("renda.deputies.urls")),  # /deputies/… and /suggestions/duty/…
    path("budget/", include("renda.budget.urls")),
    path("meetings/", include("renda.meetings.urls")),
    path("documents/", include("renda.documents.urls")),
    path("exams/", include("renda.exams.urls")),
    path("livelihood/", include("renda.livelihood.urls")),
    path("suggestions/", include("renda.suggestions.urls")),
    path("stations/", include("renda.stations.urls")),
    path("", include("renda.core.urls")),
    path("api/v1/", api.urls),
]

handler400 = "renda.core.views.errors.bad_request"
handler403 = "renda.core.views.errors.permission_denied"
handler404 = "renda.core.views.errors.page_not_found"
handler500 = "renda.core.views.errors.server_error"
