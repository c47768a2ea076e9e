"""The open ballot box keeps each ballot as (nonce, marks packed one digit per candidate)
instead of (digest, canonical text, nonce, validity): every cast rewrites the box row, and the
packed entry is about a sixth of the size (the rest is derived at the close). Boxes of rounds
open at migration time are converted; sealed boxes are empty."""

import json

from django.db import migrations

# rules.marks_of at the time of this migration: a mark's digit is its place here.
SELECTION = ("yes", "no", "abstain")
SATISFACTION = ("satisfied", "basic", "dissatisfied", "abstain")


def pack_open_boxes(apps, schema_editor):  # type: ignore[no-untyped-def]
    BallotBox = apps.get_model("livelihood", "BallotBox")
    for box in BallotBox.objects.filter(sealed=False).select_related("round__vote"):
        round_ = box.round
        marks_of = SATISFACTION if round_.vote.kind == "satisfaction" else SELECTION
        ids = [str(int(i)) for i in round_.candidate_ids]
        entries = {}
        for tracker, entry in box.entries.items():
            if len(entry) == 2:  # packed already
                entries[tracker] = entry
                continue
            _digest, choices, nonce, _valid = entry
            marks = json.loads(choices)
            entries[tracker] = [nonce, "".join(str(marks_of.index(marks[i])) for i in ids)]
        box.entries = entries
        box.save(update_fields=["entries"])


class Migration(migrations.Migration):

    dependencies = [
        ("livelihood", "0007_ballot_box"),
    ]

    operations = [
        migrations.RunPython(pack_open_boxes, migrations.RunPython.noop),
    ]
