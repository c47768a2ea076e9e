from __future__ import annotations

from typing import Any

from renda.core.tests.matrix_support import Entry, expect

READERS = ["staff", "sc_member"]
HOME = ["staff", "sc_member", "data_provider"]
UPLOADERS = ["staff", "data_provider"]


def a_unit(world: Any) -> list[int]:
    from renda.budget.tests.world_data import make_unit

    return [make_unit(world).pk]


def a_staff_batch(world: Any) -> list[int]:
    from renda.budget.tests.world_data import make_batch

    return [make_batch(world, world.staff).pk]


def a_token(world: Any) -> list[int]:
    from renda.budget.tests.world_data import make_token

    return [make_token(world).pk]


def a_staff_export(world: Any) -> list[int]:
    """A finished export of the staff member's (an empty list, written by the worker)."""
    from renda.budget.services.exports import request_export, run_export

    job = request_export(actor=world.staff, kind="payments", filters={"year": 2025})
    return [run_export(job.pk).pk]


MATRIX = {
    "budget:home": Entry(expect(HOME)),
    "budget:batches": Entry(expect(HOME)),
    # A staff member's batch: readers see it; a data-provider officer gets 404 (not theirs).
    "budget:batch_detail": Entry({**expect(READERS), "data_provider": 404}, args=a_staff_batch),
    "budget:batch_errors_export": Entry(
        {**expect(READERS), "data_provider": 404}, args=a_staff_batch
    ),
    "budget:upload": Entry(expect(UPLOADERS)),
    "budget:data_help": Entry(expect(HOME)),
    "budget:template": Entry(expect([*UPLOADERS, "sc_member"]), args=lambda w: ["payments"]),
    "budget:indicators": Entry(expect(READERS)),
    "budget:indicators_export": Entry(expect(READERS)),
    "budget:payments": Entry(expect(READERS)),
    "budget:payments_export": Entry(expect(READERS)),
    "budget:payments_export_start": Entry(expect(READERS, ok=302), method="post"),
    "budget:exports": Entry(expect(READERS)),
    # Only the requester sees an export and its file; another reader gets 404.
    "budget:export_detail": Entry({**expect(["staff"]), "sc_member": 404}, args=a_staff_export),
    "budget:export_download": Entry({**expect(["staff"]), "sc_member": 404}, args=a_staff_export),
    "budget:units": Entry(expect(READERS)),
    "budget:unit_detail": Entry(expect(READERS), args=a_unit),
    "budget:tokens": Entry(expect(["security_admin"])),
    "budget:token_revoke": Entry(expect(["security_admin"], ok=302), args=a_token, method="post"),
    # The push API authenticates by token, not by session: everybody without one gets 401.
    "api:push_batch": Entry(
        dict.fromkeys(expect([]), 401),
        args=lambda w: ["payments"],
        method="post",
        anonymous_to_login=False,
    ),
}
