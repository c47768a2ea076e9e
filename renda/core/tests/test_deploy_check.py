"""With production settings, Django's deployment checklist finds nothing (等保 / ASVS hardening)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBUG")}
    env.update(
        RENDA_PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="rd.example.gov.cn",
        FIELD_ENCRYPTION_KEY=secrets.token_hex(16),
        BLIND_INDEX_KEY=secrets.token_hex(16),
        AUDIT_HMAC_KEY=secrets.token_hex(16),
    )
    return env


def test_check_deploy_reports_no_issues() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_keys() -> None:
    env = production_env()
    del env["AUDIT_HMAC_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "AUDIT_HMAC_KEY must be set" in result.stderr
