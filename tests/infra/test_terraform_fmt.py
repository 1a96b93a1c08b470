"""`terraform fmt -check` over every Terraform file in the repository."""

from __future__ import annotations

from .conftest import TERRAFORM_DIR, Terraform


def test_terraform_fmt_finds_nothing_to_reformat(
    terraform: Terraform, terraform_env: dict[str, str]
) -> None:
    """GIVEN infra/terraform WHEN `terraform fmt -check -recursive` runs THEN nothing changes."""
    result = terraform.run(
        ["fmt", "-check", "-recursive", "-diff", "-no-color", "."], TERRAFORM_DIR, terraform_env
    )

    assert result.returncode == 0, (
        f"terraform fmt ({terraform.description}) wants to reformat:\n{result.stdout}"
        f"{result.stderr}\nRun `terraform fmt -recursive infra/terraform`."
    )
