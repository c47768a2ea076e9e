from django.urls import path

from .views import deputy, public, staff

app_name = "livelihood"

urlpatterns = [
    # staff and standing-committee members
    path("", staff.home, name="home"),
    path("projects/new/", staff.project_create, name="project_create"),
    path("lists/new/", staff.list_create, name="list_create"),
    path("lists/<id:pk>/", staff.list_detail, name="list_detail"),
    path("lists/<id:pk>/add/", staff.candidate_add, name="candidate_add"),
    path("candidates/<id:pk>/remove/", staff.candidate_remove, name="candidate_remove"),
    path("lists/<id:pk>/confirm/", staff.list_confirm, name="list_confirm"),
    path("lists/<id:pk>/vote/", staff.vote_create, name="vote_create"),
    path("votes/<id:pk>/", staff.vote_detail, name="vote_detail"),
    path("votes/<id:pk>/rules/", staff.vote_rules, name="vote_rules"),
    path("rounds/<id:pk>/open/", staff.round_open, name="round_open"),
    path("rounds/<id:pk>/close/", staff.round_close, name="round_close"),
    path("rounds/<id:pk>/count/", staff.round_count, name="round_count"),
    path("rounds/<id:pk>/screen/", staff.round_screen, name="round_screen"),
    path("rounds/<id:pk>/report/", staff.round_report, name="round_report"),
    path("rounds/<id:pk>/paper/", staff.round_paper, name="round_paper"),
    # deputies on their phones
    path("mine/", deputy.my_votes, name="my_votes"),
    path("rounds/<id:pk>/ballot/", deputy.ballot, name="ballot"),
    # the public
    path("rounds/<id:pk>/trackers/", public.tracker_list, name="trackers"),
    path("rounds/<id:pk>/verify/", public.verify, name="verify"),
]
