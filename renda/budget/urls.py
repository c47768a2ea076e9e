from django.urls import path

from . import urls_dashboards, urls_inquiries, urls_rules, views

app_name = "budget"

urlpatterns = [
    path("", views.home, name="home"),
    path("imports/", views.batch_list, name="batches"),
    path("imports/upload/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("imports/<int:pk>/errors.xlsx", views.batch_errors_export, name="batch_errors_export"),
    path("templates/<slug:kind>.xlsx", views.template, name="template"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/export.xlsx", views.indicator_export, name="indicators_export"),
    path("payments/", views.payment_list, name="payments"),
    path("payments/export.xlsx", views.payment_export, name="payments_export"),
    path("units/", views.unit_list, name="units"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    # Supervision (issue 6): rules and runs, alerts and inquiries, dashboards.
    *urls_rules.urlpatterns,
    *urls_inquiries.urlpatterns,
    *urls_dashboards.urlpatterns,
]
