from django.urls import URLPattern

app_name = "exams"

urlpatterns: list[URLPattern] = []
