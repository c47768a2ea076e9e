"""The suggestions app's Sitting became a congress-session Meeting (meetings 0002, suggestions
0003): on a database filled before the move, every sitting is a Meeting with the same key,
dates and motion deadline, the motions and suggestions filed in it still point at it, a new
meeting gets a fresh key, and migrating back restores the sittings and the keys."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("suggestions", "0002_scorerule_to_deputies"), ("meetings", "0001_initial")]
AFTER = [("suggestions", "0003_sittings_become_meetings")]
ZONE = ZoneInfo("Asia/Shanghai")


def _fill(apps):  # type: ignore[no-untyped-def]
    Region = apps.get_model("core", "Region")
    Organization = apps.get_model("core", "Organization")
    county = Region.objects.create(code="431381", name="冷水江市", level="county")
    congress = Organization.objects.create(
        name="冷水江市人民代表大会", code="RD", kind="congress", region=county
    )
    term = apps.get_model("deputies", "Term").objects.create(
        congress=congress, level="city", number=18, start_date=dt.date(2021, 12, 28)
    )
    deputy = apps.get_model("deputies", "Deputy").objects.create(
        term=term,
        name="李明",
        gender="M",
        birth_date=dt.date(1975, 5, 1),
        party="中共党员",
        category="worker",
        region=county,
        id_number="431381197505010011",
        id_number_index="x",
        elected_on=dt.date(2021, 11, 20),
    )
    Sitting = apps.get_model("suggestions", "Sitting")
    sittings = [
        Sitting.objects.create(
            term=term,
            number=n,
            start_date=dt.date(2023 + n, 1, 8),
            end_date=dt.date(2023 + n, 1, 11),
            motion_deadline=dt.datetime(2023 + n, 1, 9, 17, 30, tzinfo=ZONE),
        )
        for n in (1, 2, 3)
    ]
    # Keys with a gap, as a real table has after a deletion.
    Sitting.objects.filter(pk=sittings[1].pk).update(id=sittings[2].pk + 10)
    sittings = list(Sitting.objects.order_by("pk"))
    Motion = apps.get_model("suggestions", "Motion")
    Suggestion = apps.get_model("suggestions", "Suggestion")
    motion = Motion.objects.create(
        term=term,
        sitting=sittings[1],
        title="议案",
        cause="因",
        basis="据",
        plan="方案",
        lead_deputy=deputy,
    )
    filed = Suggestion.objects.create(
        term=term, sitting=sittings[2], title="建议", content="内容", lead_deputy=deputy
    )
    between = Suggestion.objects.create(
        term=term, title="闭会期间", content="内容", lead_deputy=deputy
    )
    expected = {
        s.pk: (s.term_id, s.number, s.start_date, s.end_date, s.motion_deadline) for s in sittings
    }
    links = {
        "motion": (motion.pk, sittings[1].pk),
        "filed": (filed.pk, sittings[2].pk),
        "between": (between.pk, None),
    }
    return expected, links


@pytest.mark.django_db(transaction=True)
def test_every_sitting_becomes_a_congress_session_and_back() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        expected, links = _fill(executor.loader.project_state(BEFORE).apps)

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        Meeting = apps.get_model("meetings", "Meeting")
        with pytest.raises(LookupError):
            apps.get_model("suggestions", "Sitting")
        got = {
            m.pk: (
                m.term_id,
                m.number,
                m.start_at.astimezone(ZONE).date(),
                m.end_at.astimezone(ZONE).date(),
                m.motion_deadline,
            )
            for m in Meeting.objects.filter(kind="congress")
        }
        assert got == expected
        titles = set(Meeting.objects.values_list("title", flat=True))
        assert "冷水江市人民代表大会第18届第2次会议" in titles
        assert set(Meeting.objects.values_list("state", flat=True)) == {"closed"}
        motion_pk, sitting_pk = links["motion"]
        assert (
            apps.get_model("suggestions", "Motion").objects.get(pk=motion_pk).sitting_id
            == sitting_pk
        )
        Suggestion = apps.get_model("suggestions", "Suggestion")
        for key in ("filed", "between"):
            pk, sitting_pk = links[key]
            assert Suggestion.objects.get(pk=pk).sitting_id == sitting_pk
        # The id sequence moved past the copied keys: a new meeting gets a fresh one.
        fresh = Meeting.objects.create(
            kind="standing",
            term_id=next(iter(expected.values()))[0],
            number=1,
            title="常委会第1次会议",
            start_at=dt.datetime(2026, 3, 1, 9, tzinfo=ZONE),
            end_at=dt.datetime(2026, 3, 1, 12, tzinfo=ZONE),
        )
        assert fresh.pk > max(expected)
        fresh.delete()

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        back = executor.loader.project_state(BEFORE).apps
        restored = {
            s.pk: (s.term_id, s.number, s.start_date, s.end_date, s.motion_deadline)
            for s in back.get_model("suggestions", "Sitting").objects.all()
        }
        assert restored == expected
        assert not back.get_model("meetings", "Meeting").objects.exists()
        assert (
            back.get_model("suggestions", "Motion").objects.get(pk=motion_pk).sitting_id
            == links["motion"][1]
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
