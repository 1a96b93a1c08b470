"""IAM, read from the HCL.

No statement allows every action on every resource, and no AWS *FullAccess policy is attached.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import REPO_ROOT, TERRAFORM_DIR, attr, env_dirs, labelled, load_hcl, module_dirs


def _policy_statements(config: dict[str, list[Any]]) -> list[tuple[str, dict[str, Any]]]:
    documents = labelled(config.get("data", []), "aws_iam_policy_document")
    found = []
    for name, document in documents.items():
        for statement in document.get("statement", []):
            found.append((name, statement))
    return found


@pytest.mark.parametrize(
    "directory",
    [*module_dirs(), *env_dirs()],
    ids=lambda p: str(p.relative_to(TERRAFORM_DIR)),
)
def test_iam_no_statement_allows_every_action_on_every_resource(directory: Path) -> None:
    """GIVEN every IAM policy document WHEN read THEN no Allow has "*" actions on "*"."""
    offending = []
    for name, statement in _policy_statements(load_hcl(directory)):
        if attr(statement, "effect", "Allow") != "Allow":
            continue
        actions = attr(statement, "actions", [])
        resources = attr(statement, "resources", [])
        # NotAction in an Allow grants everything else: never acceptable here.
        if "not_actions" in statement or ("*" in actions and "*" in resources):
            offending.append((name, attr(statement, "sid")))

    assert offending == []


def test_iam_no_full_access_managed_policy_is_attached() -> None:
    """GIVEN all Terraform files WHEN searched THEN no AWS *FullAccess policy is referenced."""
    hits = [
        f"{path.relative_to(REPO_ROOT)}: {match}"
        for path in TERRAFORM_DIR.rglob("*.tf")
        for match in re.findall(r"policy/[\w/-]*FullAccess", path.read_text(encoding="utf-8"))
    ]

    assert hits == []
