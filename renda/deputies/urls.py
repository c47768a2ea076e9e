from django.urls import path

from . import views

app_name = "deputies"

urlpatterns = [
    path("", views.deputy_list, name="list"),
    path("export.xlsx", views.deputy_export, name="export"),
    path("new/", views.deputy_create, name="create"),
    path("me/", views.deputy_me, name="me"),
    path("<int:pk>/", views.deputy_detail, name="detail"),
    path("<int:pk>/edit/", views.deputy_edit, name="edit"),
    path("<int:pk>/end/", views.deputy_end, name="end"),
    path("<int:pk>/memberships/new/", views.membership_add, name="membership_add"),
    path(
        "<int:pk>/memberships/<int:membership_pk>/end/",
        views.membership_end,
        name="membership_end",
    ),
]
