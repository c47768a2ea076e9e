"""URL patterns of the dashboards pages (included by budget/urls.py)."""

from django.urls import URLPattern, path

from . import views_dashboards as views

urlpatterns: list[URLPattern] = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/function/<str:code>/", views.dashboard_function, name="dashboard_function"),
    path("dashboard/unit/<int:pk>/", views.dashboard_unit, name="dashboard_unit"),
    path("bigscreen/", views.bigscreen, name="bigscreen"),
    path("bigscreen/data.json", views.bigscreen_data, name="bigscreen_data"),
    path("bigscreen/pass/", views.bigscreen_pass, name="bigscreen_pass"),
]
