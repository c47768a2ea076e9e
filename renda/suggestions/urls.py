from django.urls import path

from .views import detail, drafting, handling, lists, motions, public, registration, replies, stats

app_name = "suggestions"

urlpatterns = [
    # staff desk
    path("", lists.home, name="home"),
    path("export.xlsx", lists.export, name="export"),
    path("paper/", drafting.paper_create, name="paper_create"),
    path("sittings/", lists.sittings, name="sittings"),
    path("stats/", stats.stats, name="stats"),
    path("stats/export.xlsx", stats.stats_export, name="stats_export"),
    # deputy
    path("me/", drafting.deputy_home, name="deputy_home"),
    path("new/", drafting.create, name="create"),
    # one suggestion
    path("<id:pk>/", detail.detail, name="detail"),
    path("<id:pk>/edit/", drafting.edit, name="edit"),
    path("<id:pk>/submit/", drafting.submit, name="submit"),
    path("<id:pk>/invite/", drafting.invite, name="invite"),
    path("<id:pk>/cosign/", drafting.cosign, name="cosign"),
    path("<id:pk>/attachments/", drafting.attachment_add, name="attachment_add"),
    path("<id:pk>/transition/", detail.transition, name="transition"),
    path("<id:pk>/register/", registration.register, name="register"),
    path("<id:pk>/merge/", registration.merge, name="merge"),
    path("<id:pk>/assign/", registration.assign, name="assign"),
    path("<id:pk>/key/", registration.key, name="key"),
    path("<id:pk>/publish/", public.publish, name="publish"),
    path("<id:pk>/unpublish/", public.unpublish, name="unpublish"),
    path("<id:pk>/return/", handling.return_item, name="return"),
    path("<id:pk>/opinion/", handling.opinion, name="opinion"),
    path("<id:pk>/notes/", handling.note_add, name="note_add"),
    path("<id:pk>/reply/", replies.reply, name="reply"),
    path("<id:pk>/rate/", replies.rate, name="rate"),
    path("attachments/<id:pk>/", detail.attachment, name="attachment"),
    path("replies/<id:pk>/letter.docx", replies.reply_letter, name="reply_letter"),
    path("replies/<id:pk>/scan/", replies.reply_scan, name="reply_scan"),
    # handling unit
    path("unit/", handling.unit_home, name="unit_home"),
    path("unit/export.xlsx", handling.unit_export, name="unit_export"),
    # public disclosure (no login)
    path("public/", public.public_list, name="public_list"),
    path("public/<id:pk>/", public.public_detail, name="public_detail"),
    # motions
    path("motions/", motions.motion_list, name="motion_list"),
    path("motions/new/", motions.motion_create, name="motion_create"),
    path("motions/<id:pk>/", motions.motion_detail, name="motion_detail"),
    path("motions/<id:pk>/edit/", motions.motion_edit, name="motion_edit"),
    path("motions/<id:pk>/submit/", motions.motion_submit, name="motion_submit"),
    path("motions/<id:pk>/invite/", motions.motion_invite, name="motion_invite"),
    path("motions/<id:pk>/cosign/", motions.motion_cosign, name="motion_cosign"),
    path("motions/<id:pk>/decide/", motions.motion_decide, name="motion_decide"),
    path("motions/<id:pk>/transition/", motions.motion_transition, name="motion_transition"),
]
