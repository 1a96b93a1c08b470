"""Module layout, read from the HCL.

Each module and env has the four files of terraform-aws-modules; every variable is typed and
documented, every output documented.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import TERRAFORM_DIR, attr, env_dirs, labelled, load_hcl, module_dirs


@pytest.mark.parametrize(
    "directory",
    [*module_dirs(), *env_dirs()],
    ids=lambda p: str(p.relative_to(TERRAFORM_DIR)),
)
def test_layout_files_exist_and_every_variable_and_output_is_documented(
    directory: Path,
) -> None:
    """GIVEN a module or env WHEN read THEN it has the four files, typed documented variables."""
    names = {p.name for p in directory.glob("*.tf")}
    config = load_hcl(directory)

    assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf"} <= names
    for name, variable in labelled(config.get("variable", [])).items():
        assert attr(variable, "type") is not None, f"variable {name} has no type"
        assert len(attr(variable, "description") or "") > 10, f"variable {name} is undocumented"
    for name, output in labelled(config.get("output", [])).items():
        assert len(attr(output, "description") or "") > 10, f"output {name} is undocumented"
