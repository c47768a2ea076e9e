"""The suggestion an opinion became moved from the bare ``Opinion.suggestion_id`` to core's
source links: on a database filled before the move, every link is there after it (also one
whose suggestion id points nowhere), and migrating back restores every id."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("stations", "0003_checklist_for_existing_stations")]
AFTER = [("stations", "0004_opinion_suggestion_to_source_links")]


def _opinion(model, n: int, suggestion_id: int | None):  # type: ignore[no-untyped-def]
    return model.objects.create(
        tracking_code=f"CODE{n:08d}",
        source="web",
        category="transport",
        content="金竹山镇中学门口没有减速带，学生上学很危险。",
        state="converted" if suggestion_id else "submitted",
        suggestion_id=suggestion_id,
    )


@pytest.mark.django_db(transaction=True)
def test_every_suggestion_link_survives_the_move_to_source_links() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("stations", "Opinion")
        linked = {_opinion(old, n, sid).pk: sid for n, sid in enumerate([7, 42, 7, 1001])}
        unlinked = _opinion(old, 99, None).pk

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        new = apps.get_model("stations", "Opinion")
        assert "suggestion_id" not in {f.name for f in new._meta.get_fields()}
        ContentType = apps.get_model("contenttypes", "ContentType")
        links = apps.get_model("core", "SourceLink").objects.filter(
            source_type=ContentType.objects.get(app_label="stations", model="opinion"),
            target_type=ContentType.objects.get(app_label="suggestions", model="suggestion"),
        )
        assert {link.source_id: link.target_id for link in links} == linked
        assert unlinked not in {link.source_id for link in links}
        for link in links:
            assert link.url == f"/stations/opinions/{link.source_id}/"
            assert link.label.startswith("群众意见（") and "CODE" not in link.label

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        back = executor.loader.project_state(BEFORE).apps.get_model("stations", "Opinion")
        restored = dict(
            back.objects.filter(suggestion_id__isnull=False).values_list("pk", "suggestion_id")
        )
        assert restored == linked
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
