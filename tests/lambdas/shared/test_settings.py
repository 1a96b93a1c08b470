from __future__ import annotations

import pytest

from common.config import SettingsError
from devstack.services.moto import LocalAwsResources, MotoService, client
from lambdas.shared.settings import GraphQLSettings


def test_settings_read_the_admin_secret_from_secrets_manager(
    moto_server: MotoService, aws_local: LocalAwsResources
) -> None:
    """GIVEN HASURA_ADMIN_SECRET_ARN WHEN reading settings THEN the secret comes from Secrets.

    Manager (moto) and never shows in the settings' repr.
    """
    secrets = client("secretsmanager", moto_server.url(), "us-east-1")
    settings = GraphQLSettings.from_environment(
        {"HASURA_GRAPHQL_ENDPOINT": "http://127.0.0.1:1/v1/graphql",
         "HASURA_ADMIN_SECRET_ARN": aws_local.admin_secret_arn},
        secrets_client=secrets,
    )
    secrets.close()
    assert settings.admin_secret.reveal() == "test-admin-secret"
    assert "test-admin-secret" not in repr(settings)
    assert "test-admin-secret" not in repr(settings.admin_secret)


def test_settings_fall_back_to_the_environment_secret() -> None:
    """GIVEN no ARN but HASURA_GRAPHQL_ADMIN_SECRET WHEN reading THEN that value is used."""
    settings = GraphQLSettings.from_environment(
        {"HASURA_GRAPHQL_ENDPOINT": "http://x/v1/graphql", "HASURA_GRAPHQL_ADMIN_SECRET": "s"})
    assert settings.admin_secret.reveal() == "s"


def test_settings_name_the_missing_variable() -> None:
    """GIVEN no endpoint WHEN reading THEN the error names HASURA_GRAPHQL_ENDPOINT."""
    with pytest.raises(SettingsError, match="HASURA_GRAPHQL_ENDPOINT"):
        GraphQLSettings.from_environment({"HASURA_GRAPHQL_ADMIN_SECRET": "s"})
