from django.urls import include, path

from .views import accounts, activities, duty, registry, reporting

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

# 代表述职 and 代表小组活动 (issue 15, item 6).
reporting_patterns = [
    path("", reporting.plan_list, name="reporting_plans"),
    path("new/", reporting.plan_create, name="reporting_plan_create"),
    path("mine/", reporting.my_reports, name="reporting_mine"),
    path("<id:pk>/", reporting.plan_detail, name="reporting_plan"),
    path("<id:pk>/assign/", reporting.assignment_add, name="reporting_assign"),
    path("items/<id:pk>/", reporting.assignment_detail, name="reporting_assignment"),
    path("items/<id:pk>/report/", reporting.report_write, name="reporting_write"),
    path("items/<id:pk>/evaluate/", reporting.evaluate, name="reporting_evaluate"),
]
activity_patterns = [
    path("", activities.activity_list, name="activities"),
    path("new/", activities.activity_create, name="activity_create"),
    path("mine/", activities.my_activities, name="activities_mine"),
    path("<id:pk>/", activities.activity_detail, name="activity"),
    path("<id:pk>/attendance/", activities.attendance, name="activity_attendance"),
    path("<id:pk>/sign-up/", activities.sign_up, name="activity_sign_up"),
    path("<id:pk>/cancel/", activities.cancel_sign_up, name="activity_cancel"),
]

urlpatterns = [
    path("deputies/reporting/", include(reporting_patterns)),
    path("deputies/activities/", include(activity_patterns)),
    path("deputies/", include(registry_patterns)),
    path("suggestions/duty/", include(duty_patterns)),
]
