from django.urls import path

from .views import deputy, staff

app_name = "meetings"

urlpatterns = [
    # staff and standing-committee members
    path("", staff.meeting_list, name="list"),
    path("new/", staff.meeting_create, name="create"),
    path("<id:pk>/", staff.meeting_detail, name="detail"),
    path("<id:pk>/agenda/new/", staff.agenda_add, name="agenda_add"),
    path("agenda/<id:pk>/outcome/", staff.agenda_outcome, name="agenda_outcome"),
    path("agenda/<id:pk>/remove/", staff.agenda_remove, name="agenda_remove"),
    path("<id:pk>/notify/", staff.meeting_notify, name="notify"),
    path("<id:pk>/open/", staff.meeting_open, name="open"),
    path("<id:pk>/close/", staff.meeting_close, name="close"),
    path("<id:pk>/members/", staff.member_list, name="members"),
    path("members/<id:pk>/leave/", staff.leave_decide, name="leave_decide"),
    path("members/<id:pk>/paper/", staff.paper_sign_in, name="paper_sign_in"),
    path("<id:pk>/venue/", staff.venue, name="venue"),
    path("<id:pk>/venue/code/", staff.venue_code, name="venue_code"),
    path("<id:pk>/count/", staff.attendance_count, name="count"),
    # members on their phones
    path("mine/", deputy.my_meetings, name="my_list"),
    path("mine/<id:pk>/", deputy.my_detail, name="my_detail"),
    path("mine/<id:pk>/confirm/", deputy.my_confirm, name="my_confirm"),
    path("mine/<id:pk>/leave/", deputy.my_leave, name="my_leave"),
    path("check-in/", deputy.check_in, name="check_in"),
    path("check-in/done/", deputy.check_in_done, name="check_in_done"),
]
