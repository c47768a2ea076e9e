"""Permission matrix of the rule pages: readers see rules and runs; only staff change or
run them."""

from __future__ import annotations

from renda.core.tests.matrix_support import Entry, expect

READERS = ["staff", "sc_member"]

MATRIX = {
    "budget:rules": Entry(expect(READERS)),
    "budget:rule_detail": Entry(expect(READERS), args=lambda w: ["B01"]),
    # Posting the threshold form: readers who are not staff are refused.
    "budget:rule_runs": Entry(expect(READERS)),
    "budget:rule_run": Entry(expect(["staff"], ok=302), method="post"),
}

# The alerts API answers by session: readers get the list, everybody else 401 (no redirect).
MATRIX["api:list_alerts"] = Entry(
    {**dict.fromkeys(expect([]), 401), "staff": 200, "sc_member": 200},
    anonymous_to_login=False,
)

# A display link for the meeting-room screen: readers only.
MATRIX["budget:bigscreen_pass"] = Entry(expect(READERS), method="post")
