"""The synthetic data generator: realistic files that import, with every anomaly planted."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from renda.budget.demo import synthetic
from renda.budget.ingest.kinds import LOAD_ORDER
from renda.budget.models import BudgetIndicator, Payment
from renda.budget.services import batches
from renda.core.models import ImportBatch

RULES = {f"B{n:02d}" for n in range(1, 17)}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    manifest = synthetic.generate(out=out, scale="county", year=2025, payments=4000)
    return out, manifest


def payments(out):
    with open(out / "payments.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_rule_has_a_planted_case_in_the_manifest(generated):
    out, manifest = generated
    assert {a["rule"] for a in manifest["anomalies"]} == RULES
    assert (
        json.loads((out / "manifest.json").read_text(encoding="utf-8"))["anomalies"]
        == manifest["anomalies"]
    )
    assert manifest["counts"]["units"] == 300


def test_planted_payments_are_in_the_file(generated):
    out, manifest = generated
    rows = {r["凭证号"]: r for r in payments(out)}
    for anomaly in manifest["anomalies"]:
        if anomaly["subject_type"] == "payment":
            assert anomaly["subject"] in rows
    b05 = [rows[a["subject"]] for a in manifest["anomalies"] if a["rule"] == "B05"]
    assert all(r["收款人类型"] == "个人" and Decimal(r["金额"]) >= 10000 for r in b05)
    b08 = [rows[a["subject"]] for a in manifest["anomalies"] if a["rule"] == "B08"]
    import chinese_calendar

    assert all(not chinese_calendar.is_workday(dt.date.fromisoformat(r["支付日期"])) for r in b08)


def test_clean_data_plants_nothing_and_keeps_clean(tmp_path):
    import chinese_calendar

    manifest = synthetic.generate(
        out=tmp_path, scale="county", year=2025, payments=3000, anomalies=False
    )
    assert manifest["anomalies"] == []
    words = synthetic.SUSPICIOUS
    for row in payments(tmp_path):
        amount = Decimal(row["金额"])
        assert chinese_calendar.is_workday(dt.date.fromisoformat(row["支付日期"]))
        assert amount < 5_000_000 and row["指标编号"]
        assert not any(w in row["用途"] for w in words)
        assert not any(w in row["收款人"] for w in ("超市", "商场", "商贸", "百货"))
        if row["收款人类型"] == "个人" and not row["部门经济分类"].startswith(("301", "303")):
            assert amount < 10000


def test_december_is_the_busiest_month(generated):
    out, manifest = generated
    planted = {a["subject"] for a in manifest["anomalies"]}
    by_month: dict[int, Decimal] = {}
    for row in payments(out):
        if row["凭证号"] not in planted:
            month = int(row["支付日期"][5:7])
            by_month[month] = by_month.get(month, Decimal(0)) + Decimal(row["金额"])
    assert max(by_month, key=by_month.get) == 12
    assert by_month[12] > Decimal("1.5") * sum(by_month.values()) / 12


def test_the_files_import_in_order(world, generated):
    out, manifest = generated
    batches.ensure_finance_region(
        actor=world.staff, code=manifest["region"], name=manifest["region_name"]
    )
    for kind in LOAD_ORDER:
        batch = batches.import_path(actor=world.staff, kind=kind, path=out / f"{kind}.csv")
        assert batch.status == ImportBatch.Status.COMMITTED, (kind, batch.errors[:3])
    assert Payment.objects.count() == manifest["counts"]["payments"]
    assert BudgetIndicator.objects.count() == manifest["counts"]["indicators"]
    # Indicators were imported before payments, so only the planted B03 payments lack one.
    unlinked = set(
        Payment.objects.filter(indicator__isnull=True).values_list("voucher_no", flat=True)
    )
    assert unlinked == {a["subject"] for a in manifest["anomalies"] if a["rule"] == "B03"}


def test_the_command_writes_the_files(tmp_path, capsys):
    call_command(
        "generate_budget_data",
        "--scale",
        "county",
        "--year",
        "2025",
        "--payments",
        "1500",
        "--out",
        str(tmp_path),
    )
    assert (tmp_path / "payments.csv").exists() and (tmp_path / "manifest.json").exists()
    assert "预置异常" in capsys.readouterr().out


def test_generated_files_are_unchanged_by_the_split_into_modules(tmp_path):
    """The generator was split into modules by concern with every random draw in the same
    order: a small seed still gives byte for byte the files and manifest it gave before
    (hash taken after the last deliberate change: the registry's township names, believable
    unit names and the four budgets, issue 14)."""
    import datetime as dt
    import hashlib
    import json

    manifest = synthetic.generate(
        out=tmp_path, scale="county", year=2025, payments=2500, seed=7, as_of=dt.date(2025, 9, 30)
    )
    digest = hashlib.sha256()
    for path in sorted(tmp_path.iterdir()):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(json.dumps(manifest, sort_keys=True, default=str).encode())
    assert digest.hexdigest() == (
        "d38987fd5664b080cef798bd4e9974cfce49c6f920725324e48dc9d732cc0125"
    )
