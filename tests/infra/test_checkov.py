"""checkov over infra/: no failed check in any framework, every deliberate skip explained.

checkov runs the frameworks that find something in infra/ (with no `--framework` it runs
these and nothing else finds a file): terraform over infra/terraform, then secrets and
dockerfile over infra/. Offline: `--skip-download` keeps it from fetching guidelines or
policies, and no external checks are loaded.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO_ROOT, TERRAFORM_DIR

SKIP_COMMENT = re.compile(r"#\s*checkov:skip=([^\s:]*)(?::(.*))?")
CHECK_ID = re.compile(r"^(CKV2?_AWS|CKV_DOCKER|CKV_SECRET)_\d+$")
INFRA_DIR = TERRAFORM_DIR.parent
FRAMEWORKS = ("terraform", "secrets", "dockerfile")


def _checkov_command() -> list[str]:
    script = Path(sys.executable).with_name("checkov")
    if not script.exists():
        pytest.fail(f"checkov is a pinned dev dependency, but {script} is missing")
    return [str(script)]


def _scan(directory: Path, frameworks: tuple[str, ...]) -> list[dict[str, Any]]:
    completed = subprocess.run(
        [*_checkov_command(), "--directory", str(directory.relative_to(REPO_ROOT)),
         "--framework", *frameworks, "--compact", "--quiet", "--output", "json",
         "--skip-download"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    # Exit 1 means "checks failed"; anything else non-zero is checkov itself failing.
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    parsed: Any = json.loads(completed.stdout)
    return parsed if isinstance(parsed, list) else [parsed]


@pytest.fixture(scope="module")
def checkov_reports() -> dict[str, dict[str, Any]]:
    """The JSON report of checkov for each framework.

    Terraform over infra/terraform, the others over infra/: run together, checkov's parallel
    runners now and then report a spurious terraform parsing error on a loaded machine.
    """
    reports = _scan(TERRAFORM_DIR, ("terraform",)) + _scan(INFRA_DIR, ("secrets", "dockerfile"))
    for report in reports:
        print(f"\ncheckov {report['check_type']}: {report['summary']}")
    return {report["check_type"]: report for report in reports}


@pytest.fixture(scope="module")
def checkov_report(checkov_reports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The terraform framework's report."""
    return checkov_reports["terraform"]


def test_checkov_reports_no_failed_check_in_any_framework(
    checkov_reports: dict[str, dict[str, Any]],
) -> None:
    """Checkov reports no failed check in any framework.

    GIVEN infra/ WHEN checkov scans it with every framework that applies THEN terraform,
    secrets and dockerfile each ran, and none has a failed check or a parsing error.
    """
    assert set(FRAMEWORKS) <= set(checkov_reports)
    described = [
        f"{kind} {f['check_id']} {f['resource']} ({f['file_path']}:{f['file_line_range'][0]}): "
        f"{f['check_name']}"
        for kind, report in checkov_reports.items()
        for f in report["results"].get("failed_checks", [])
    ]
    assert described == []
    failed = {kind: report["summary"]["failed"] for kind, report in checkov_reports.items()}
    assert failed == dict.fromkeys(checkov_reports, 0)


def test_checkov_parses_every_file_and_sees_the_resources(
    checkov_report: dict[str, Any],
) -> None:
    """GIVEN infra/terraform WHEN checkov scans it THEN no file fails to parse and it ran checks."""
    summary = checkov_report["summary"]
    assert summary["parsing_errors"] == 0
    # A scan that silently found nothing (wrong directory, parser trouble) must not pass.
    assert summary["resource_count"] >= 100
    assert summary["passed"] >= 300


def test_checkov_skips_each_name_a_check_and_give_a_reason() -> None:
    """GIVEN every `#checkov:skip` comment WHEN read THEN each names one check and says why."""
    files = [*TERRAFORM_DIR.rglob("*.tf"), *INFRA_DIR.rglob("*Dockerfile")]
    skips = [
        (path, number, match)
        for path in sorted(files)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if (match := SKIP_COMMENT.search(line))
    ]
    unexplained = [
        f"{path.relative_to(REPO_ROOT)}:{number}: {match.group(0)}"
        for path, number, match in skips
        if not CHECK_ID.match(match.group(1)) or len((match.group(2) or "").strip()) < 30
    ]

    assert skips, "expected the deliberate skips documented in infra/README.md"
    assert unexplained == []
