from django.urls import include, path

from .views import accounts, duty, registry

app_name = "deputies"

registry_patterns = [
    path("", registry.deputy_list, name="list"),
    path("export.xlsx", registry.deputy_export, name="export"),
    path("new/", registry.deputy_create, name="create"),
    path("me/", registry.deputy_me, name="me"),
    path("<id:pk>/", registry.deputy_detail, name="detail"),
    path("<id:pk>/edit/", registry.deputy_edit, name="edit"),
    path("<id:pk>/end/", registry.deputy_end, name="end"),
    path("<id:pk>/account/", accounts.deputy_account_create, name="account_create"),
    path("accounts/issue/", accounts.accounts_issue, name="accounts_issue"),
    path("<id:pk>/memberships/new/", registry.membership_add, name="membership_add"),
    path(
        "<id:pk>/memberships/<id:membership_pk>/end/",
        registry.membership_end,
        name="membership_end",
    ),
]

# Duty records and scores keep the addresses they had under /suggestions/duty/.
duty_patterns = [
    path("me/", duty.duty_me, name="duty_me"),
    path("new/", duty.duty_add, name="duty_add"),
    path("rankings/", duty.rankings, name="rankings"),
    path("rankings/export.xlsx", duty.rankings_export, name="rankings_export"),
    path("rules/", duty.score_rules, name="score_rules"),
    path("<id:pk>/<year:year>/", duty.duty_report, name="duty_report"),
    path("<id:pk>/<year:year>/report.docx", duty.duty_report_docx, name="duty_report_docx"),
]

urlpatterns = [
    path("deputies/", include(registry_patterns)),
    path("suggestions/duty/", include(duty_patterns)),
]
