"""URL patterns of the inquiries pages (included by budget/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
