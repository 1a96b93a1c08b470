from __future__ import annotations

from pathlib import Path

from devstack.hasura_project import metadata_dir, yaml_io
from devstack.hasura_project.engine_client import MetadataClient
from devstack.paths import HASURA_DIR
from tests.hasura.conftest import HasuraTarget
from tests.hasura.project_copy import copy_project


def test_engine_metadata_export_after_apply_reproduces_the_folder(
    hasura: HasuraTarget, tmp_path: Path
) -> None:
    """Engine metadata export after apply reproduces the folder.

    GIVEN the engine with hasura/metadata applied WHEN its metadata is exported into a copy of
    the project THEN the copy reads back as the same metadata, and each table file holds the
    same content as the committed one.
    """
    project = copy_project(tmp_path)
    client = MetadataClient(hasura.base_url, hasura.admin_secret)

    metadata_dir.write(project, client.export_metadata())

    exported = metadata_dir.normalise(metadata_dir.read(project).metadata)
    assert exported == metadata_dir.normalise(metadata_dir.read(HASURA_DIR).metadata)
    committed_tables = HASURA_DIR / "metadata" / "databases" / "default" / "tables"
    exported_tables = project / "metadata" / "databases" / "default" / "tables"
    assert sorted(p.name for p in exported_tables.glob("*.yaml")) == sorted(
        p.name for p in committed_tables.glob("*.yaml")
    )
    for committed in committed_tables.glob("public_*.yaml"):
        assert metadata_dir.normalise(yaml_io.load(exported_tables / committed.name)) == (
            metadata_dir.normalise(yaml_io.load(committed))
        ), committed.name


def test_engine_metadata_reports_no_inconsistency(hasura: HasuraTarget) -> None:
    """Engine metadata reports no inconsistency.

    GIVEN the engine with hasura/metadata applied WHEN asked for inconsistent objects THEN there
    are none.
    """
    client = MetadataClient(hasura.base_url, hasura.admin_secret)

    assert client.inconsistencies() == []
