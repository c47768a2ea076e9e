from renda.core.tests.matrix_support import Entry, everyone, expect, logged_in

WORKBENCH = (
    "staff",
    "sc_member",
    "deputy",
    "handling_officer",
    "data_provider",
    "nominee",
    "system_admin",
    "security_admin",
    "audit_admin",
)

MATRIX = {
    "core:favicon": Entry(everyone(301), anonymous_to_login=False),
    "core:manifest": Entry(everyone(), anonymous_to_login=False),
    "core:service_worker": Entry(everyone(), anonymous_to_login=False),
    "core:offline": Entry(everyone(), anonymous_to_login=False),
    "core:workbench": Entry(expect(WORKBENCH)),
    "core:inbox": Entry(logged_in()),
    "core:inbox_mark_read": Entry(logged_in(302), method="post"),
    "core:under_construction": Entry(everyone(), args=lambda w: ["budget"]),
    "core:audit_log": Entry(expect(["audit_admin"])),
    "core:audit_verify": Entry(expect(["audit_admin"]), method="post"),
    "core:audit_export": Entry(expect(["audit_admin"])),
}
