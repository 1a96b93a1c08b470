from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from devstack.errors import StackError
from devstack.hasura_project import (
    metadata_db_check,
    metadata_dir,
    metadata_model,
    metadata_schema,
)
from devstack.hasura_project.migrations import Migrator
from devstack.hasura_project.problems import Problem
from devstack.paths import HASURA_DIR, REPO_ROOT
from tests import reference
from tests.hasura.project_copy import copy_project


@pytest.fixture(scope="module")
def migrated_url(create_database: Callable[[str], str]) -> str:
    """A database with the project's migrations applied (read-only for these tests)."""
    url = create_database("metacheck")
    Migrator(url, HASURA_DIR / "migrations").apply()
    return url


def _tables_dir(project: Path) -> Path:
    return project / "metadata" / "databases" / "default" / "tables"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _db_problems(project: Path, url: str) -> list[Problem]:
    return metadata_db_check.validate(metadata_dir.read(project), url)


def test_metadata_validation_catches_a_wrong_table_name(migrated_url: str, tmp_path: Path) -> None:
    """Metadata validation catches a wrong table name.

    GIVEN a table file naming a table that does not exist WHEN validated against the database THEN
    the problem names that file and its `table` key.
    """
    project = copy_project(tmp_path)
    _edit(_tables_dir(project) / "public_wallets.yaml", "name: wallets", "name: walets")

    problems = _db_problems(project, migrated_url)

    assert [(p.file.name, p.path) for p in problems] == [("public_wallets.yaml", ("table",))]
    assert "public.walets does not exist" in problems[0].message


def test_metadata_validation_catches_a_wrong_column(migrated_url: str, tmp_path: Path) -> None:
    """Metadata validation catches a wrong column.

    GIVEN a permission listing a column that does not exist WHEN validated THEN the problem points
    at that entry of that permission in that file.
    """
    project = copy_project(tmp_path)
    _edit(_tables_dir(project) / "public_users.yaml", "        - last_login_at\n",
          "        - last_login\n")

    problems = _db_problems(project, migrated_url)

    assert [(p.file.name, p.path) for p in problems] == [
        ("public_users.yaml", ("select_permissions", 0, "permission", "columns", 3))
    ]
    assert "'last_login' does not exist in public.users" in problems[0].message


def test_metadata_validation_catches_wrong_relationships(migrated_url: str, tmp_path: Path) -> None:
    """Metadata validation catches wrong relationships.

    GIVEN a relationship on a column without a foreign key, a manual mapping to a missing column,
    and a filter through an unknown relationship WHEN validated THEN all three are reported, each
    with its file and path.
    """
    project = copy_project(tmp_path)
    tables = _tables_dir(project)
    _edit(tables / "public_transactions.yaml", "foreign_key_constraint_on: account_id",
          "foreign_key_constraint_on: status")
    _edit(tables / "public_users.yaml", "id: user_id", "id: owner_id")
    _edit(tables / "public_accounts.yaml", "        account_users:\n", "        account_user:\n")

    problems = {(p.file.name, p.path): p.message for p in _db_problems(project, migrated_url)}

    assert "no foreign key on public.transactions(status)" in problems[(
        "public_transactions.yaml",
        ("object_relationships", 0, "using", "foreign_key_constraint_on"),
    )]
    assert "'owner_id' does not exist in public.profiles" in problems[(
        "public_users.yaml",
        ("object_relationships", 0, "using", "manual_configuration", "column_mapping", "id"),
    )]
    assert "neither a column nor a relationship" in problems[(
        "public_accounts.yaml", ("select_permissions", 0, "permission", "filter", "account_user"),
    )]
    # The transactions filter walks through account → account_users; with the broken FK the
    # relationship target is unknown, so nothing else is (wrongly) reported.
    assert len(problems) == 3


def _break_two_table_files(project: Path) -> None:
    tables = _tables_dir(project)
    _edit(tables / "public_crypto_assets.yaml", "  - role: anonymous\n", "  - rol: anonymous\n")
    _edit(tables / "public_profiles.yaml", "foreign_key_constraint_on: user_id",
          "foreign_key: user_id")


def test_metadata_validation_reports_model_errors_with_their_file_and_key(
    tmp_path: Path,
) -> None:
    """Metadata validation reports model errors with their file and key.

    GIVEN a permission missing its role, a relationship with an unknown `using` and a misspelt
    table key WHEN checked with the engine's typed model (no reference material needed) THEN
    each problem names its file and the key inside it.
    """
    project = copy_project(tmp_path)
    _break_two_table_files(project)
    _edit(_tables_dir(project) / "public_wallets.yaml", "select_permissions:",
          "select_permission:")

    problems = {(p.file.name, p.path): p.message
                for p in metadata_model.validate(metadata_dir.read(project))}

    assert problems[("public_crypto_assets.yaml", ("select_permissions", 0, "role"))] == (
        "key 'role' is required")
    assert "exactly one of foreign_key_constraint_on or manual_configuration" in problems[
        ("public_profiles.yaml", ("object_relationships", 0, "using"))]
    assert problems[("public_wallets.yaml", ("select_permission",))] == (
        "unexpected key 'select_permission'")


@reference.needs(*reference.METADATA_SCHEMA)
def test_metadata_validation_reports_schema_errors_with_their_file(tmp_path: Path) -> None:
    """Metadata validation reports schema errors with their file.

    GIVEN a permission missing its role and a relationship with an unknown `using` WHEN checked
    against Hasura's JSON schema THEN each error names its file and path.
    """
    project = copy_project(tmp_path)
    _break_two_table_files(project)

    problems = metadata_schema.validate(metadata_dir.read(project),
                                        reference.path(*reference.METADATA_SCHEMA))

    located = {(p.file.name, p.path[:2]) for p in problems}
    assert ("public_crypto_assets.yaml", ("select_permissions", 0)) in located
    assert ("public_profiles.yaml", ("object_relationships", 0)) in located
    assert any("'role' is a required property" in p.message for p in problems)


def test_metadata_validation_says_when_the_schema_file_is_missing(tmp_path: Path) -> None:
    """GIVEN no openapi file WHEN schema validation runs THEN it says so, naming the path."""
    missing = tmp_path / "metadata.openapi.json"

    with pytest.raises(StackError, match="is missing"):
        metadata_schema.validate(metadata_dir.read(HASURA_DIR), missing)


def test_metadata_validate_cli_lists_every_problem_and_exits_non_zero(
    migrated_url: str, tmp_path: Path
) -> None:
    """Metadata validate cli lists every problem and exits non zero.

    GIVEN two broken table files WHEN `devstack metadata validate` runs THEN both are listed with
    their files, it exits 1 and prints no traceback.
    """
    project = copy_project(tmp_path)
    tables = _tables_dir(project)
    _edit(tables / "public_wallets.yaml", "name: wallets", "name: walets")
    _edit(tables / "public_users.yaml", "        - last_login_at\n", "        - last_login\n")

    result = subprocess.run(
        [sys.executable, "-m", "devstack", "metadata", "validate", "--project-dir", str(project)],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=60, check=False,
        env={**os.environ, "DATABASE_URL": migrated_url, "COLUMNS": "200"},
    )

    assert result.returncode == 1
    assert "public_wallets.yaml: table" in result.stderr
    assert "public_users.yaml: select_permissions[0].permission.columns[3]" in result.stderr
    assert "2 problem(s)" in result.stderr
    assert "Traceback" not in result.stderr
