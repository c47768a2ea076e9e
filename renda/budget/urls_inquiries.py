"""URL patterns of the alert, inquiry and escalation pages (included by budget/urls.py)."""

from django.urls import URLPattern, path

from . import views_alerts, views_inquiries

urlpatterns: list[URLPattern] = [
    path("alerts/", views_alerts.alert_list, name="alerts"),
    path("alerts/export.xlsx", views_alerts.alert_export, name="alerts_export"),
    path("alerts/<int:pk>/", views_alerts.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/agenda/", views_alerts.alert_agenda, name="alert_agenda"),
    path(
        "alerts/<int:pk>/agenda/remove/",
        views_alerts.alert_agenda_remove,
        name="alert_agenda_remove",
    ),
    path("alerts/<int:pk>/offer/", views_alerts.alert_offer, name="alert_offer"),
    path("agenda/", views_alerts.agenda_list, name="agenda"),
    # The deputy's side of an alert offered to them (转代表建议).
    path("alerts/offered/", views_alerts.offered_alerts, name="offered_alerts"),
    path(
        "alerts/<int:pk>/suggestion/",
        views_alerts.alert_draft_suggestion,
        name="alert_draft_suggestion",
    ),
    path("inquiries/", views_inquiries.inquiry_list, name="inquiries"),
    path("inquiries/new/", views_inquiries.inquiry_create, name="inquiry_create"),
    path("inquiries/<int:pk>/", views_inquiries.inquiry_detail, name="inquiry_detail"),
    path(
        "inquiries/<int:pk>/transition/",
        views_inquiries.inquiry_transition,
        name="inquiry_transition",
    ),
    path("inquiries/<int:pk>/respond/", views_inquiries.inquiry_respond, name="inquiry_respond"),
    path(
        "inquiries/attachments/<int:pk>/",
        views_inquiries.inquiry_attachment,
        name="inquiry_attachment",
    ),
]
