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
    path("<int:pk>/", detail.detail, name="detail"),
    path("<int:pk>/edit/", drafting.edit, name="edit"),
    path("<int:pk>/submit/", drafting.submit, name="submit"),
    path("<int:pk>/invite/", drafting.invite, name="invite"),
    path("<int:pk>/cosign/", drafting.cosign, name="cosign"),
    path("<int:pk>/attachments/", drafting.attachment_add, name="attachment_add"),
    path("<int:pk>/transition/", detail.transition, name="transition"),
    path("<int:pk>/register/", registration.register, name="register"),
    path("<int:pk>/merge/", registration.merge, name="merge"),
    path("<int:pk>/assign/", registration.assign, name="assign"),
    path("<int:pk>/key/", registration.key, name="key"),
    path("<int:pk>/publish/", public.publish, name="publish"),
    path("<int:pk>/unpublish/", public.unpublish, name="unpublish"),
    path("<int:pk>/return/", handling.return_item, name="return"),
    path("<int:pk>/opinion/", handling.opinion, name="opinion"),
    path("<int:pk>/notes/", handling.note_add, name="note_add"),
    path("<int:pk>/reply/", replies.reply, name="reply"),
    path("<int:pk>/rate/", replies.rate, name="rate"),
    path("attachments/<int:pk>/", detail.attachment, name="attachment"),
    path("replies/<int:pk>/letter.docx", replies.reply_letter, name="reply_letter"),
    path("replies/<int:pk>/scan/", replies.reply_scan, name="reply_scan"),
    # handling unit
    path("unit/", handling.unit_home, name="unit_home"),
    path("unit/export.xlsx", handling.unit_export, name="unit_export"),
    # public disclosure (no login)
    path("public/", public.public_list, name="public_list"),
    path("public/<int:pk>/", public.public_detail, name="public_detail"),
    # motions
    path("motions/", motions.motion_list, name="motion_list"),
    path("motions/new/", motions.motion_create, name="motion_create"),
    path("motions/<int:pk>/", motions.motion_detail, name="motion_detail"),
    path("motions/<int:pk>/edit/", motions.motion_edit, name="motion_edit"),
    path("motions/<int:pk>/submit/", motions.motion_submit, name="motion_submit"),
    path("motions/<int:pk>/invite/", motions.motion_invite, name="motion_invite"),
    path("motions/<int:pk>/cosign/", motions.motion_cosign, name="motion_cosign"),
    path("motions/<int:pk>/decide/", motions.motion_decide, name="motion_decide"),
    path("motions/<int:pk>/transition/", motions.motion_transition, name="motion_transition"),
]
