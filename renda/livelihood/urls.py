from django.urls import URLPattern

app_name = "livelihood"

urlpatterns: list[URLPattern] = []
