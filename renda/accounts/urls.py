from django.urls import path

from .views import admin_home, auth, duties, requests, security, sms_login, users

app_name = "accounts"

urlpatterns = [
    path("login/", auth.login, name="login"),
    path("login/sms/", sms_login.sms_login, name="sms_login"),
    path("logout/", auth.logout, name="logout"),
    path("password/", auth.password_change, name="password_change"),
    path("otp/setup/", auth.otp_setup, name="otp_setup"),
    path("otp/verify/", auth.otp_verify, name="otp_verify"),
    path("otp/backup-codes/", auth.backup_codes, name="backup_codes"),
    # The three administrators' tools (三员).
    path("admin/", admin_home.admin_home, name="admin_home"),
    path("admin/users/", users.user_list, name="user_list"),
    path("admin/users/new/", users.user_create, name="user_create"),
    path("admin/users/<int:pk>/", users.user_edit, name="user_edit"),
    path("admin/users/<int:pk>/active/", users.user_set_active, name="user_set_active"),
    path("admin/users/<int:pk>/password/", users.user_reset_password, name="user_reset_password"),
    path("admin/requests/", requests.request_list, name="request_list"),
    path("admin/requests/<int:pk>/approve/", requests.request_approve, name="request_approve"),
    path("admin/requests/<int:pk>/reject/", requests.request_reject, name="request_reject"),
    path("admin/lockouts/", security.lockout_list, name="lockout_list"),
    path("admin/lockouts/unlock/", security.unlock, name="unlock"),
    path("admin/two-factor/", security.two_factor_list, name="two_factor_list"),
    path("admin/two-factor/<int:pk>/reset/", security.two_factor_reset, name="two_factor_reset"),
    path("admin/duties/", duties.duty_list, name="duties"),
    path("admin/duties/office/<int:pk>/", duties.office_duties, name="office_duties"),
    path("admin/duties/personal/", duties.personal_grant, name="personal_duty_grant"),
    path(
        "admin/duties/personal/<int:pk>/withdraw/",
        duties.personal_withdraw,
        name="personal_duty_withdraw",
    ),
    path("admin/security-settings/", security.security_settings, name="security_settings"),
]
