"""Backup, restore and audit-log archiving (docs/deploy.md §8).

- `dump`: `manage.py backup` — one directory per backup: the database (`pg_dump -Fc`, or a
  copy of a SQLite file through SQLite's backup API), the uploaded files (tar.gz of
  MEDIA_ROOT), the anchor file of the audit chain, and a signed manifest (versions, migrations,
  row counts, the audit checkpoint, SHA-256 of each part); retention pruning.
- `load`: `manage.py restore` — into an empty database only; checks the manifest and the
  parts, restores, unpacks the files, then verifies the audit chain up to the checkpoint and
  the ballot chains.
- `archive`: `manage.py archive_audit` — moves audit rows past the retention period into an
  archive that keeps the chain verifiable.
"""
