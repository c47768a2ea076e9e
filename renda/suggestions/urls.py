from django.urls import path

from . import views

app_name = "suggestions"

urlpatterns = [
    # staff desk
    path("", views.home, name="home"),
    path("export.xlsx", views.export, name="export"),
    path("paper/", views.paper_create, name="paper_create"),
    path("sittings/", views.sittings, name="sittings"),
    path("stats/", views.stats, name="stats"),
    path("stats/export.xlsx", views.stats_export, name="stats_export"),
    # deputy
    path("me/", views.deputy_home, name="deputy_home"),
    path("new/", views.create, name="create"),
    # one suggestion
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/cosign/", views.cosign, name="cosign"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/key/", views.key, name="key"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/unpublish/", views.unpublish, name="unpublish"),
    path("<int:pk>/return/", views.return_item, name="return"),
    path("<int:pk>/opinion/", views.opinion, name="opinion"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("replies/<int:pk>/letter.docx", views.reply_letter, name="reply_letter"),
    path("replies/<int:pk>/scan/", views.reply_scan, name="reply_scan"),
    # handling unit
    path("unit/", views.unit_home, name="unit_home"),
    path("unit/export.xlsx", views.unit_export, name="unit_export"),
    # public disclosure (no login)
    path("public/", views.public_list, name="public_list"),
    path("public/<int:pk>/", views.public_detail, name="public_detail"),
    # motions
    path("motions/", views.motion_list, name="motion_list"),
    path("motions/new/", views.motion_create, name="motion_create"),
    path("motions/<int:pk>/", views.motion_detail, name="motion_detail"),
    path("motions/<int:pk>/edit/", views.motion_edit, name="motion_edit"),
    path("motions/<int:pk>/submit/", views.motion_submit, name="motion_submit"),
    path("motions/<int:pk>/invite/", views.motion_invite, name="motion_invite"),
    path("motions/<int:pk>/cosign/", views.motion_cosign, name="motion_cosign"),
    path("motions/<int:pk>/decide/", views.motion_decide, name="motion_decide"),
    path("motions/<int:pk>/transition/", views.motion_transition, name="motion_transition"),
    # duty records and scores
    path("duty/me/", views.duty_me, name="duty_me"),
    path("duty/new/", views.duty_add, name="duty_add"),
    path("duty/rankings/", views.rankings, name="rankings"),
    path("duty/rankings/export.xlsx", views.rankings_export, name="rankings_export"),
    path("duty/rules/", views.score_rules, name="score_rules"),
    path("duty/<int:pk>/<int:year>/", views.duty_report, name="duty_report"),
    path("duty/<int:pk>/<int:year>/report.docx", views.duty_report_docx, name="duty_report_docx"),
]
