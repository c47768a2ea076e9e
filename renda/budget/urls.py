from django.urls import path

from .views import alerts, dashboards, data, help, inquiries, payments, rules

app_name = "budget"

urlpatterns = [
    path("", data.home, name="home"),
    path("imports/", data.batch_list, name="batches"),
    path("imports/upload/", data.upload, name="upload"),
    path("imports/<int:pk>/", data.batch_detail, name="batch_detail"),
    path("imports/<int:pk>/errors.xlsx", data.batch_errors_export, name="batch_errors_export"),
    path("templates/<slug:kind>.xlsx", data.template, name="template"),
    path("help/data/", help.data_help, name="data_help"),
    path("indicators/", data.indicator_list, name="indicators"),
    path("indicators/export.xlsx", data.indicator_export, name="indicators_export"),
    path("payments/", payments.payment_list, name="payments"),
    path("payments/export.xlsx", payments.payment_export, name="payments_export"),
    path("payments/export/", payments.payment_export_start, name="payments_export_start"),
    path("exports/", payments.export_list, name="exports"),
    path("exports/<int:pk>/", payments.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", payments.export_download, name="export_download"),
    path("units/", data.unit_list, name="units"),
    path("units/<int:pk>/", data.unit_detail, name="unit_detail"),
    path("tokens/", data.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", data.token_revoke, name="token_revoke"),
    # Supervision (issue 6): rules and runs, alerts and inquiries, dashboards.
    path("rules/", rules.rule_list, name="rules"),
    path("rules/run/", rules.rule_run, name="rule_run"),
    path("rules/runs/", rules.run_list, name="rule_runs"),
    path("rules/<str:code>/", rules.rule_detail, name="rule_detail"),
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/export.xlsx", alerts.alert_export, name="alerts_export"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/agenda/", alerts.alert_agenda, name="alert_agenda"),
    path(
        "alerts/<int:pk>/agenda/remove/",
        alerts.alert_agenda_remove,
        name="alert_agenda_remove",
    ),
    path("alerts/<int:pk>/offer/", alerts.alert_offer, name="alert_offer"),
    path("agenda/", alerts.agenda_list, name="agenda"),
    # The deputy's side of an alert offered to them (转代表建议).
    path("alerts/offered/", alerts.offered_alerts, name="offered_alerts"),
    path(
        "alerts/<int:pk>/suggestion/",
        alerts.alert_draft_suggestion,
        name="alert_draft_suggestion",
    ),
    path("inquiries/", inquiries.inquiry_list, name="inquiries"),
    path("inquiries/new/", inquiries.inquiry_create, name="inquiry_create"),
    path("inquiries/<int:pk>/", inquiries.inquiry_detail, name="inquiry_detail"),
    path(
        "inquiries/<int:pk>/transition/",
        inquiries.inquiry_transition,
        name="inquiry_transition",
    ),
    path("inquiries/<int:pk>/agenda/", inquiries.inquiry_agenda, name="inquiry_agenda"),
    path(
        "inquiries/<int:pk>/agenda/remove/",
        inquiries.inquiry_agenda_remove,
        name="inquiry_agenda_remove",
    ),
    path("inquiries/<int:pk>/respond/", inquiries.inquiry_respond, name="inquiry_respond"),
    path("inquiries/<int:pk>/edit/", inquiries.inquiry_edit, name="inquiry_edit"),
    path("inquiries/<int:pk>/letter.docx", inquiries.inquiry_docx, name="inquiry_docx"),
    path(
        "inquiries/attachments/<int:pk>/",
        inquiries.inquiry_attachment,
        name="inquiry_attachment",
    ),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path(
        "dashboard/function/<str:code>/", dashboards.dashboard_function, name="dashboard_function"
    ),
    path("dashboard/unit/<int:pk>/", dashboards.dashboard_unit, name="dashboard_unit"),
    path("bigscreen/", dashboards.bigscreen, name="bigscreen"),
    path("bigscreen/data.json", dashboards.bigscreen_data, name="bigscreen_data"),
    path("bigscreen/pass/", dashboards.bigscreen_pass, name="bigscreen_pass"),
]
