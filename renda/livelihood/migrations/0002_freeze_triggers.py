"""Triggers that keep a 票决 frozen where the services already refuse (so a stray UPDATE in a
shell or an admin action cannot do it either):

- a round that has opened keeps its manifest, hash, seats and candidates; once sealed, its
  fingerprint; and it cannot be deleted;
- ballots and participations change only while their round is open (casting and the
  sealing rewrite happen then); a closed or counted ballot box is read-only;
- the candidates of a list, and the seats and counting rules of its vote, cannot change once
  a round of the vote has opened.

A database owner can still drop a trigger: that is what the hash chain and the printed
fingerprint are for (verify_ballots)."""

from django.db import migrations

MESSAGE = "livelihood: frozen"

PG_FORWARD = """
CREATE OR REPLACE FUNCTION livelihood_box_guard() RETURNS trigger AS $$
DECLARE st varchar;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT state INTO st FROM livelihood_round WHERE id = OLD.round_id;
  ELSE
    SELECT state INTO st FROM livelihood_round WHERE id = NEW.round_id;
  END IF;
  IF st IS DISTINCT FROM 'open' THEN
    RAISE EXCEPTION 'livelihood: frozen (the ballot box of a round that is not open is read-only)';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER livelihood_ballot_guard BEFORE INSERT OR UPDATE OR DELETE ON livelihood_ballot
  FOR EACH ROW EXECUTE FUNCTION livelihood_box_guard();
CREATE TRIGGER livelihood_participation_guard BEFORE INSERT OR UPDATE OR DELETE
  ON livelihood_participation FOR EACH ROW EXECUTE FUNCTION livelihood_box_guard();

CREATE OR REPLACE FUNCTION livelihood_round_guard() RETURNS trigger AS $$
BEGIN
  IF OLD.manifest_hash <> '' THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'livelihood: frozen (an opened round cannot be deleted)';
    END IF;
    IF NEW.manifest IS DISTINCT FROM OLD.manifest
       OR NEW.manifest_hash IS DISTINCT FROM OLD.manifest_hash
       OR NEW.seats IS DISTINCT FROM OLD.seats
       OR NEW.candidate_ids IS DISTINCT FROM OLD.candidate_ids
       OR NEW.vote_id IS DISTINCT FROM OLD.vote_id
       OR NEW.members_total IS DISTINCT FROM OLD.members_total
       OR NEW.roster_size IS DISTINCT FROM OLD.roster_size
       OR (OLD.fingerprint <> '' AND NEW.fingerprint IS DISTINCT FROM OLD.fingerprint) THEN
      RAISE EXCEPTION 'livelihood: frozen (an opened round keeps its manifest)';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER livelihood_round_guard BEFORE UPDATE OR DELETE ON livelihood_round
  FOR EACH ROW EXECUTE FUNCTION livelihood_round_guard();

CREATE OR REPLACE FUNCTION livelihood_list_frozen(list_id bigint) RETURNS boolean AS $$
  SELECT EXISTS (
    SELECT 1 FROM livelihood_vote v JOIN livelihood_round r ON r.vote_id = v.id
    WHERE v.candidate_list_id = list_id AND r.manifest_hash <> '');
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION livelihood_candidate_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND livelihood_list_frozen(OLD.candidate_list_id) THEN
    RAISE EXCEPTION 'livelihood: frozen (the candidates of an opened vote)';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND livelihood_list_frozen(NEW.candidate_list_id) THEN
    RAISE EXCEPTION 'livelihood: frozen (the candidates of an opened vote)';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER livelihood_candidate_guard BEFORE INSERT OR UPDATE OR DELETE
  ON livelihood_candidate FOR EACH ROW EXECUTE FUNCTION livelihood_candidate_guard();

CREATE OR REPLACE FUNCTION livelihood_vote_guard() RETURNS trigger AS $$
BEGIN
  IF livelihood_list_frozen(OLD.candidate_list_id) AND (
       NEW.seats IS DISTINCT FROM OLD.seats OR NEW.pass_base IS DISTINCT FROM OLD.pass_base
       OR NEW.quorum IS DISTINCT FROM OLD.quorum
       OR NEW.candidate_list_id IS DISTINCT FROM OLD.candidate_list_id) THEN
    RAISE EXCEPTION 'livelihood: frozen (the rules of an opened vote)';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER livelihood_vote_guard BEFORE UPDATE ON livelihood_vote
  FOR EACH ROW EXECUTE FUNCTION livelihood_vote_guard();

CREATE OR REPLACE FUNCTION livelihood_list_guard() RETURNS trigger AS $$
BEGIN
  IF livelihood_list_frozen(OLD.id) AND NEW.seats IS DISTINCT FROM OLD.seats THEN
    RAISE EXCEPTION 'livelihood: frozen (the seats of an opened vote)';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER livelihood_list_guard BEFORE UPDATE ON livelihood_candidatelist
  FOR EACH ROW EXECUTE FUNCTION livelihood_list_guard();
"""

PG_REVERSE = """
DROP TRIGGER IF EXISTS livelihood_list_guard ON livelihood_candidatelist;
DROP TRIGGER IF EXISTS livelihood_vote_guard ON livelihood_vote;
DROP TRIGGER IF EXISTS livelihood_candidate_guard ON livelihood_candidate;
DROP TRIGGER IF EXISTS livelihood_round_guard ON livelihood_round;
DROP TRIGGER IF EXISTS livelihood_participation_guard ON livelihood_participation;
DROP TRIGGER IF EXISTS livelihood_ballot_guard ON livelihood_ballot;
DROP FUNCTION IF EXISTS livelihood_list_guard();
DROP FUNCTION IF EXISTS livelihood_vote_guard();
DROP FUNCTION IF EXISTS livelihood_candidate_guard();
DROP FUNCTION IF EXISTS livelihood_list_frozen(bigint);
DROP FUNCTION IF EXISTS livelihood_round_guard();
DROP FUNCTION IF EXISTS livelihood_box_guard();
"""

SQLITE_LIST_FROZEN = """EXISTS (SELECT 1 FROM livelihood_vote v JOIN livelihood_round r
  ON r.vote_id = v.id WHERE v.candidate_list_id = {col} AND r.manifest_hash <> '')"""


def _abort(name: str, event: str, table: str, when: str) -> str:
    return (
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {when} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
    )


def sqlite_forward() -> list[str]:
    box = "(SELECT state FROM livelihood_round WHERE id = {row}.round_id) IS NOT 'open'"
    out = []
    for table in ("livelihood_ballot", "livelihood_participation"):
        out.append(_abort(f"{table}_guard_ins", "INSERT", table, box.format(row="NEW")))
        out.append(_abort(f"{table}_guard_upd", "UPDATE", table, box.format(row="OLD")))
        out.append(_abort(f"{table}_guard_del", "DELETE", table, box.format(row="OLD")))
    changed = " OR ".join(
        f"NEW.{c} IS NOT OLD.{c}"
        for c in (
            "manifest",
            "manifest_hash",
            "seats",
            "candidate_ids",
            "vote_id",
            "members_total",
            "roster_size",
        )
    )
    out.append(
        _abort(
            "livelihood_round_guard_upd",
            "UPDATE",
            "livelihood_round",
            f"OLD.manifest_hash <> '' AND ({changed} OR (OLD.fingerprint <> '' "
            "AND NEW.fingerprint IS NOT OLD.fingerprint))",
        )
    )
    out.append(
        _abort("livelihood_round_guard_del", "DELETE", "livelihood_round", "OLD.manifest_hash <> ''")
    )
    cand = "livelihood_candidate"
    out.append(_abort(f"{cand}_guard_ins", "INSERT", cand, SQLITE_LIST_FROZEN.format(col="NEW.candidate_list_id")))
    out.append(_abort(f"{cand}_guard_upd", "UPDATE", cand, SQLITE_LIST_FROZEN.format(col="OLD.candidate_list_id")))
    out.append(_abort(f"{cand}_guard_del", "DELETE", cand, SQLITE_LIST_FROZEN.format(col="OLD.candidate_list_id")))
    rules = " OR ".join(
        f"NEW.{c} IS NOT OLD.{c}" for c in ("seats", "pass_base", "quorum", "candidate_list_id")
    )
    out.append(
        _abort(
            "livelihood_vote_guard_upd",
            "UPDATE",
            "livelihood_vote",
            SQLITE_LIST_FROZEN.format(col="OLD.candidate_list_id") + f" AND ({rules})",
        )
    )
    out.append(
        _abort(
            "livelihood_candidatelist_guard_upd",
            "UPDATE",
            "livelihood_candidatelist",
            SQLITE_LIST_FROZEN.format(col="OLD.id") + " AND NEW.seats IS NOT OLD.seats",
        )
    )
    return out


SQLITE_TRIGGERS = [
    *(f"{t}_guard_{op}" for t in ("livelihood_ballot", "livelihood_participation", "livelihood_candidate") for op in ("ins", "upd", "del")),
    "livelihood_round_guard_upd",
    "livelihood_round_guard_del",
    "livelihood_vote_guard_upd",
    "livelihood_candidatelist_guard_upd",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in sqlite_forward():
            schema_editor.execute(statement)


def reverse(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("livelihood", "0001_votes")]

    operations = [migrations.RunPython(forward, reverse)]
