from django.urls import path

from . import views

app_name = "deputies"

urlpatterns = [
    path("", views.deputy_list, name="list"),
    path("export.xlsx", views.deputy_export, name="export"),
    path("<int:pk>/", views.deputy_detail, name="detail"),
]
