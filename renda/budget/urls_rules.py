"""URL patterns of the rules pages (included by budget/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
