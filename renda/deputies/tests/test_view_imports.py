"""The import pages (core.views.imports), driven with the deputies import."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from renda.core.imports import tasks as import_tasks
from renda.core.models import ImportBatch
from renda.deputies import services
from renda.deputies.models import Deputy
from renda.deputies.tests.factories import make_id_number, make_term

Status = ImportBatch.Status
HEADER = [
    "姓名",
    "政治面貌",
    "代表构成",
    "层级",
    "乡镇（街道）",
    "代表团（组）",
    "身份证号",
    "手机号",
    "当选日期",
]


def deputies_file(*id_numbers: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for index, number in enumerate(id_numbers):
        sheet.append(
            [
                f"代表{index}",
                "中共党员",
                "工人",
                "市级",
                "冷水江街道",
                "冷水江街道代表团",
                number,
                "13912345678",
                dt.date(2021, 11, 20),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bad_checksum(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.fixture(autouse=True)
def registry(world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    term = make_term(world)
    services.create_delegation(
        actor=None, term=term, name="冷水江街道代表团", region=world.township
    )


def upload(client: Any, content: bytes, name: str = "代表名册.xlsx") -> Any:
    return client.post(
        reverse("core:import_start", args=["deputies"]), {"file": SimpleUploadedFile(name, content)}
    )


def test_staff_see_the_upload_page_and_others_are_refused(client_for: Any) -> None:
    url = reverse("core:import_start", args=["deputies"])
    html = client_for("staff").get(url).content.decode()
    assert "导入代表名册" in html and "上传并校验" in html and "身份证号" in html
    assert reverse("core:import_template", args=["deputies"]) in html
    for persona in ("sc_member", "deputy", "system_admin", "audit_admin"):
        assert client_for(persona).get(url).status_code == 403
    assert "/accounts/login/" in client_for("anonymous").get(url)["Location"]
    assert (
        client_for("staff").get(reverse("core:import_start", args=["no-such-kind"])).status_code
        == 404
    )


def test_the_template_downloads_as_xlsx(client_for: Any) -> None:
    response = client_for("staff").get(reverse("core:import_template", args=["deputies"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["代表名册", "填写说明"]


def test_a_bad_file_shows_each_error_by_row_and_column_and_writes_nothing(client_for: Any) -> None:
    good = make_id_number()
    client = client_for("staff")
    response = upload(client, deputies_file(good, bad_checksum(make_id_number())))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "core:import_batch", args=[batch.pk]
    )
    html = client.get(response["Location"]).content.decode()
    assert "校验未通过：共 1 处错误" in html
    assert "<td>第 3 行</td><td>身份证号</td><td>身份证号校验位错误</td>" in html
    assert "确认导入" not in html
    assert not Deputy.objects.exists()


def test_a_wrong_file_type_is_refused_on_the_form(client_for: Any) -> None:
    response = upload(
        client_for("staff"), b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "代表.xls"
    )
    assert response.status_code == 200
    assert "不支持旧版 Excel（.xls）文件" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_oversized_file_is_refused_on_the_form(client_for: Any, settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 2048
    response = upload(client_for("staff"), deputies_file(*(make_id_number() for _ in range(60))))
    assert "文件太大" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_good_file_is_previewed_then_imported(client_for: Any) -> None:
    number = make_id_number()
    client = client_for("staff")
    # One file, sent twice below: openpyxl stamps each workbook with the time it was
    # written, so two workbooks built a second apart are two different files.
    content = deputies_file(number)
    batch_url = upload(client, content)["Location"]
    html = client.get(batch_url).content.decode()
    assert "校验通过：共 1 行" in html and "确认导入" in html
    assert "代表0" in html and number not in html and number[:6] + "********" + number[-4:] in html
    assert not Deputy.objects.exists()  # nothing before the confirmation
    batch = ImportBatch.objects.get()
    response = client.post(reverse("core:import_commit", args=[batch.pk]))
    assert response.status_code == 302
    html = client.get(batch_url).content.decode()
    assert "导入完成：已登记 1 名代表" in html
    assert Deputy.objects.filter(name="代表0").count() == 1
    # The same file again: sent to the batch that imported it, nothing imported twice.
    again = upload(client, content)
    assert again["Location"] == batch_url
    assert "没有重复导入" in client.get(batch_url).content.decode()
    assert Deputy.objects.count() == 1
    # A second press of the button changes nothing either.
    client.post(reverse("core:import_commit", args=[batch.pk]))
    assert Deputy.objects.count() == 1


def test_a_long_file_shows_progress_while_it_commits(
    client_for: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(import_tasks, "SYNC_COMMIT_MAX_ROWS", 1)
    client = client_for("staff")
    upload(client, deputies_file(make_id_number(), make_id_number()))
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("core:import_commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Status.COMMITTING
    page = client.get(reverse("core:import_batch", args=[batch.pk])).content.decode()
    progress_url = reverse("core:import_progress", args=[batch.pk])
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 1s"' in page
    partial = client.get(progress_url, headers={"HX-Request": "true"}).content.decode()
    assert "已处理 <strong>0</strong> / 2 行" in partial and "<html" not in partial
    for callback in callbacks:
        callback()  # the Huey task (immediate mode in tests)
    done = client.get(progress_url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    assert (
        "导入完成：已登记 2 名代表"
        in client.get(reverse("core:import_batch", args=[batch.pk])).content.decode()
    )


def test_a_batch_can_be_discarded(client_for: Any) -> None:
    client = client_for("staff")
    upload(client, deputies_file(make_id_number()))
    batch = ImportBatch.objects.get()
    response = client.post(reverse("core:import_discard", args=[batch.pk]))
    assert response["Location"] == reverse("core:import_start", args=["deputies"])
    batch.refresh_from_db()
    assert batch.status == Status.DISCARDED
    assert client.post(reverse("core:import_commit", args=[batch.pk])).status_code == 302
    assert not Deputy.objects.exists()


def test_staff_share_batches_but_others_cannot_open_them(world: Any, client_for: Any) -> None:
    upload(client_for("staff"), deputies_file(make_id_number()))
    batch = ImportBatch.objects.get()
    url = reverse("core:import_batch", args=[batch.pk])
    for persona in ("sc_member", "deputy", "handling_officer"):
        assert client_for(persona).get(url).status_code == 403
        assert (
            client_for(persona).post(reverse("core:import_commit", args=[batch.pk])).status_code
            == 403
        )
    assert not Deputy.objects.exists()
    assert client_for("staff").get(reverse("core:import_batch", args=[999999])).status_code == 404


def test_the_list_shows_my_recent_batches(world: Any, client_for: Any) -> None:
    client = client_for("staff")
    upload(client, deputies_file(make_id_number()), "我的名单.xlsx")
    html = client.get(reverse("core:import_list")).content.decode()
    assert "我的名单.xlsx" in html and "待确认" in html and "导入代表名册" in html
    assert client_for("sc_member").get(reverse("core:import_list")).status_code == 403


def test_the_deputy_list_offers_import_to_staff_only(client_for: Any) -> None:
    link = reverse("core:import_start", args=["deputies"])
    assert link in client_for("staff").get(reverse("deputies:list")).content.decode()
    assert link not in client_for("sc_member").get(reverse("deputies:list")).content.decode()
