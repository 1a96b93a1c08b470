"""`terraform init -backend=false` + `validate` for every environment and example, offline.

Each run works on a copy of infra/terraform in a temporary folder (environments reach
their modules through relative paths), with TF_DATA_DIR there too, so no `.terraform/`
folder or lock file is ever written into the repository.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import TERRAFORM_DIR, Terraform, env_dirs


@pytest.mark.parametrize("env_dir", env_dirs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_terraform_validate_accepts_environment(
    env_dir: Path,
    terraform: Terraform,
    plugin_dir: Path,
    terraform_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """GIVEN an env and the AWS plugin WHEN init + validate THEN valid, no errors or warnings."""
    copy = tmp_path / "terraform"
    shutil.copytree(TERRAFORM_DIR, copy, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    workdir = copy / env_dir.relative_to(TERRAFORM_DIR)
    env = {**terraform_env, "TF_DATA_DIR": str(tmp_path / "tf-data")}

    init = terraform.run(
        ["init", "-backend=false", f"-plugin-dir={plugin_dir}", "-input=false", "-no-color"],
        workdir,
        env,
    )
    assert init.returncode == 0, f"terraform init failed:\n{init.stdout}\n{init.stderr}"

    validate = terraform.run(["validate", "-json", "-no-color"], workdir, env)
    report = json.loads(validate.stdout)
    problems = [_describe(diagnostic) for diagnostic in report["diagnostics"]]
    assert report["valid"], "\n".join(problems)
    assert problems == []


def _describe(diagnostic: dict[str, Any]) -> str:
    where = diagnostic.get("range", {})
    line = where.get("start", {}).get("line", "?")
    return (
        f"{diagnostic['severity']}: {diagnostic['summary']}: {diagnostic.get('detail', '')} "
        f"({where.get('filename', '?')}:{line})"
    )
