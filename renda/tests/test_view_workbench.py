from __future__ import annotations

from typing import Any

from django.urls import reverse

from renda.core import notifications


def test_staff_see_counts_and_their_inbox(world: Any, client_for: Any) -> None:
    notifications.notify(actor=None, recipients=[world.staff], title="新的办理提醒")
    response = client_for("staff").get(reverse("core:workbench"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "工作台" in html and "在任市级代表" in html and "新的办理提醒" in html


def test_every_module_is_linked_and_unbuilt_ones_say_under_construction(
    world: Any, client_for: Any
) -> None:
    client = client_for("staff")
    html = client.get(reverse("core:workbench")).content.decode()
    for title in [
        "预算联网监督",
        "任前法律考试",
        "代表工作站点",
        "代表履职服务",
        "民生实事票决",
        "人大之家",
    ]:
        assert title in html
    page = client.get(reverse("core:under_construction", args=["budget"]))
    assert page.status_code == 200 and "建设中" in page.content.decode()
    assert client.get("/modules/nonexistent/").status_code == 404


def test_the_audit_admin_does_not_see_deputy_counts(world: Any, client_for: Any) -> None:
    html = client_for("audit_admin").get(reverse("core:workbench")).content.decode()
    assert "在任市级代表" not in html and "审计日志条数" in html


def test_a_deputy_is_led_to_their_own_work_not_the_staff_register(
    world: Any, client_for: Any
) -> None:
    html = client_for("deputy").get(reverse("core:workbench")).content.decode()
    assert reverse("deputies:me") in html
    assert reverse("suggestions:deputy_home") in html and "待我评价的建议" in html
    assert f'href="{reverse("deputies:list")}"' not in html


def test_each_administrator_finds_their_tools_on_the_workbench(world: Any, client_for: Any) -> None:
    for persona in ["system_admin", "security_admin", "audit_admin"]:
        html = client_for(persona).get(reverse("core:workbench")).content.decode()
        assert reverse("accounts:admin_home") in html
    assert (
        reverse("accounts:admin_home")
        not in client_for("staff").get(reverse("core:workbench")).content.decode()
    )


def test_staff_see_whether_the_working_day_calendar_needs_entering(
    world: Any, client_for: Any
) -> None:
    html = client_for("staff").get(reverse("core:workbench")).content.decode()
    assert "工作日历" in html and reverse("core:calendar") in html


def test_apps_contribute_cards_for_each_role(world: Any, client_for: Any) -> None:
    assert "待登记建议" in client_for("staff").get(reverse("core:workbench")).content.decode()
    officer = client_for("handling_officer").get(reverse("core:workbench")).content.decode()
    assert "本单位在办建议" in officer and reverse("suggestions:unit_home") in officer
    assert "待登记建议" not in client_for("nominee").get(reverse("core:workbench")).content.decode()


def test_station_work_appears_on_the_workbench(world: Any, client_for: Any) -> None:
    assert (
        "待梳理交办的群众意见"
        in client_for("staff").get(reverse("core:workbench")).content.decode()
    )
    assert (
        reverse("stations:my_duties")
        in client_for("deputy").get(reverse("core:workbench")).content.decode()
    )
