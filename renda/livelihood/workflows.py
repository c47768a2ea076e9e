"""The path of a 民生实事项目建议 from collection to the candidate list, as data (core.workflow),
after ../shared/reference/civic.md §4.2 (征集 → 审查筛选 → 候选项目) and Decidim's proposal
states (evaluating / accepted / rejected, §1.3):

    submitted ─ screen ─→ screening ─ accept ─→ accepted ─ nominate ─→ candidate
        │                   │                     │                       │
        ├── reject (reason, shown publicly) ──────┤                       │
        ├── reserve → reserved (储备库) ←─────────┴───────────────────────┘ (not chosen)
        │               └─ carry (into a later call) → submitted
        └── merge → merged (into the kept proposal; supporters summed)

Steps that carry data (screen: the review; reject: the reason; merge: the kept proposal;
nominate: the project; carry: the call) are taken by the services in services/collection.py
and services/screening.py, which validate and call ``apply_transition`` in one transaction.
"""

from __future__ import annotations

from renda.core.roles import Role
from renda.core.workflow import State, Transition, Workflow, register

STAFF = frozenset({Role.STAFF})

PROPOSAL = register(
    Workflow(
        code="livelihood_proposal",
        name="民生实事项目建议",
        initial="submitted",
        due_field=None,
        states=(
            State("submitted", "已收到"),
            State("screening", "审查中", tone="info"),
            State("accepted", "拟列为候选项目", tone="primary"),
            State("candidate", "已列入候选项目名单", tone="success"),
            State("rejected", "未采纳", terminal=True, tone="secondary"),
            State("reserved", "列入储备库", tone="warning"),
            State("merged", "已合并", terminal=True, tone="secondary"),
        ),
        transitions=(
            Transition("screen", "开始审查", ("submitted",), "screening", roles=STAFF),
            Transition("accept", "审查通过", ("screening",), "accepted", roles=STAFF),
            Transition(
                "reject",
                "不予采纳",
                ("submitted", "screening", "accepted"),
                "rejected",
                roles=STAFF,
                note="required",
                note_label="不予采纳的理由（公开）",
                style="danger",
            ),
            Transition(
                "reserve",
                "列入储备库",
                ("submitted", "screening", "accepted", "candidate"),
                "reserved",
                roles=STAFF,
                style="warning",
            ),
            Transition(
                "merge",
                "合并到其他建议",
                ("submitted", "screening", "accepted", "reserved"),
                "merged",
                roles=STAFF,
                style="secondary",
            ),
            Transition("nominate", "列入候选项目名单", ("accepted",), "candidate", roles=STAFF),
            Transition("carry", "转入新一年征集", ("reserved",), "submitted", roles=STAFF),
        ),
    )
)
