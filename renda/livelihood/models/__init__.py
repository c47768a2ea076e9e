"""livelihood's models: the vote (votes.py) and collection and screening (collection.py)."""

from .collection import Call, Proposal, ProposerKind, Screening
from .implementation import (
    FundingLink,
    Inspection,
    Milestone,
    Plan,
    PlanItem,
    ProgressPhoto,
    ProgressReport,
    ProgressStatus,
    Supervisor,
)
from .satisfaction import Rectification, SatisfactionPaperCount, SatisfactionPaperTally
from .votes import (
    Ballot,
    BallotBox,
    Candidate,
    CandidateList,
    PaperCount,
    PaperTally,
    Participation,
    Project,
    Round,
    Vote,
)

__all__ = [
    "FundingLink",
    "Inspection",
    "Milestone",
    "Plan",
    "PlanItem",
    "ProgressPhoto",
    "ProgressReport",
    "ProgressStatus",
    "Supervisor",
    "Ballot",
    "BallotBox",
    "Call",
    "Candidate",
    "CandidateList",
    "PaperCount",
    "PaperTally",
    "Participation",
    "Project",
    "Proposal",
    "ProposerKind",
    "Rectification",
    "Round",
    "SatisfactionPaperCount",
    "SatisfactionPaperTally",
    "Screening",
    "Vote",
]
