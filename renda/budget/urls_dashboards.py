"""URL patterns of the dashboards pages (included by budget/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
