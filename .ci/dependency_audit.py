"""Judge the JSON of pip-audit and npm audit against .ci/audit-accepted.toml (called by
.ci/dependency-audit). Exit 0: nothing found, or only accepted advisories. Exit 1: a known
vulnerability not accepted (or an acceptance with missing fields / past its date). Exit 3:
the vulnerability service could not be reached, so nothing was checked — the caller decides
whether that fails the run.

  python3 .ci/dependency_audit.py pip RESULT.json ACCEPTED.toml
  python3 .ci/dependency_audit.py npm RESULT.json ACCEPTED.toml
  python3 .ci/dependency_audit.py ignores ACCEPTED.toml   # --ignore-vuln ids for pip-audit
  python3 .ci/dependency_audit.py self-test
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

UNREACHABLE = 3


class Accepted:
    def __init__(self, path: Path, today: dt.date | None = None) -> None:
        self.entries: list[dict[str, Any]] = []
        self.problems: list[str] = []
        today = today or dt.datetime.now(dt.UTC).date()  # advisories' dates are UTC
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        for n, entry in enumerate(data.get("accept", []), start=1):
            missing = [k for k in ("id", "package", "reason", "until") if not entry.get(k)]
            if missing:
                self.problems.append(f"accept #{n}: missing {', '.join(missing)}")
            elif not isinstance(entry["until"], dt.date):
                self.problems.append(f"accept #{n} ({entry['id']}): until must be a date")
            elif entry["until"] < today:
                self.problems.append(
                    f"accept #{n} ({entry['id']}, {entry['package']}): expired on {entry['until']}"
                )
            else:
                self.entries.append(entry)

    def covers(self, package: str, ids: set[str]) -> dict[str, Any] | None:
        for entry in self.entries:
            if entry["package"].lower() == package.lower() and entry["id"] in ids:
                return entry
        return None


def judge_pip(result: dict[str, Any], accepted: Accepted) -> tuple[int, list[str]]:
    deps = result.get("dependencies", [])
    skipped = [d for d in deps if "skip_reason" in d]
    lines: list[str] = []
    # pip-audit says "No known vulnerabilities found" even when it could look none up: when
    # every package was skipped, the service did not answer (a mirror without the JSON API).
    if deps and len(skipped) == len(deps):
        return UNREACHABLE, [
            f"pip-audit: all {len(deps)} packages skipped: {skipped[0]['skip_reason']}"
        ]
    for dep in skipped:
        lines.append(f"pip-audit: not checked: {dep['name']}: {dep['skip_reason']}")
    failed = False
    for dep in deps:
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            entry = accepted.covers(dep["name"], ids)
            where = f"{dep['name']} {dep.get('version', '')}: {vuln['id']}"
            if entry is not None:
                lines.append(
                    f"pip-audit: accepted until {entry['until']}: {where} ({entry['reason']})"
                )
            else:
                failed = True
                fix = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
                lines.append(f"pip-audit: VULNERABLE {where} (fixed in: {fix})")
    return (1 if failed else 0), lines


# What npm prints when the registry's advisory endpoint cannot be used (a mirror that only
# serves GET, no network, DNS): only these count as "service unreachable".
NETWORK = re.compile(
    r"\b(40[45]|5\d\d)\b|Method Not Allowed|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|"
    r"EAI_AGAIN|ENETUNREACH|socket hang up|network",
    re.IGNORECASE,
)


def judge_npm(result: dict[str, Any], accepted: Accepted) -> tuple[int, list[str]]:
    if "vulnerabilities" not in result:
        message = str(result.get("message") or result.get("error", {}).get("summary") or "")
        if NETWORK.search(message):
            return UNREACHABLE, [f"npm audit: the advisory service did not answer: {message}"]
        return 1, [f"npm audit: no report ({message or 'empty output'})"]
    lines: list[str] = []
    failed = False
    for name, vuln in sorted(result["vulnerabilities"].items()):
        advisories = [v for v in vuln.get("via", []) if isinstance(v, dict)]
        if not advisories:
            continue  # vulnerable only through another package, which is reported itself
        for adv in advisories:
            url = str(adv.get("url", ""))
            ids = {str(adv.get("source", "")), url.rsplit("/", 1)[-1]} - {""}
            entry = accepted.covers(name, ids)
            where = f"{name} {vuln.get('range', '')}: {adv.get('title', '')} ({url}, {adv.get('severity')})"
            if entry is not None:
                lines.append(
                    f"npm audit: accepted until {entry['until']}: {where} ({entry['reason']})"
                )
            else:
                failed = True
                lines.append(f"npm audit: VULNERABLE {where}")
    return (1 if failed else 0), lines


def main(argv: list[str]) -> int:
    if argv[:1] == ["self-test"]:
        return self_test()
    if argv[:1] == ["ignores"]:
        for entry in Accepted(Path(argv[1])).entries:
            print(entry["id"])
        return 0
    kind, result_path, accepted_path = argv
    accepted = Accepted(Path(accepted_path))
    try:
        result = json.loads(Path(result_path).read_text(encoding="utf-8") or "{}")
    except ValueError:
        result = {}
    status, lines = (judge_pip if kind == "pip" else judge_npm)(result, accepted)
    for line in accepted.problems:
        lines.append(f"{accepted_path}: {line}")
    if accepted.problems and status != UNREACHABLE:
        status = 1
    print("\n".join(lines))
    return status


def self_test() -> int:
    """The judging rules on made-up reports (the real services are not always reachable)."""
    with tempfile.TemporaryDirectory() as tmp:
        toml = Path(tmp) / "accepted.toml"
        toml.write_text(
            '[[accept]]\nid = "GHSA-aaaa"\npackage = "Django"\nreason = "r"\nuntil = 2099-01-01\n'
            '[[accept]]\nid = "GHSA-old"\npackage = "lxml"\nreason = "r"\nuntil = 2020-01-01\n'
        )
        acc = Accepted(toml)
        assert len(acc.entries) == 1 and "expired" in acc.problems[0]
        vuln = {"id": "PYSEC-1", "aliases": ["GHSA-aaaa"], "fix_versions": ["5.2.9"]}
        ok = {"dependencies": [{"name": "django", "version": "5.2", "vulns": [vuln]}]}
        assert judge_pip(ok, acc)[0] == 0
        other = {"id": "PYSEC-2", "aliases": [], "fix_versions": []}
        bad = {"dependencies": [{"name": "django", "version": "5.2", "vulns": [vuln, other]}]}
        assert judge_pip(bad, acc)[0] == 1
        wrong_pkg = {"dependencies": [{"name": "flask", "version": "1", "vulns": [vuln]}]}
        assert judge_pip(wrong_pkg, acc)[0] == 1
        gone = {"dependencies": [{"name": "django", "skip_reason": "not found"}]}
        assert judge_pip(gone, acc)[0] == UNREACHABLE
        assert judge_npm({"message": "405 Method Not Allowed"}, acc)[0] == UNREACHABLE
        assert judge_npm({"message": "ENOLOCK: requires a lockfile"}, acc)[0] == 1
        npm_ok = {"vulnerabilities": {}}
        assert judge_npm(npm_ok, acc)[0] == 0
        adv = {"source": 1, "url": "https://github.com/advisories/GHSA-aaaa", "severity": "low"}
        npm_bad = {"vulnerabilities": {"django": {"via": [adv]}, "x": {"via": ["django"]}}}
        assert judge_npm(npm_bad, acc)[0] == 0  # accepted by its GHSA id (same package name)
        adv2 = {**adv, "url": "https://github.com/advisories/GHSA-bbbb"}
        assert judge_npm({"vulnerabilities": {"htmx.org": {"via": [adv2]}}}, acc)[0] == 1
    print("dependency_audit self-test: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
