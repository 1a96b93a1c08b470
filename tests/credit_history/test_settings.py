"""The credit-history service's settings: each backend's requirements, named when missing."""

from __future__ import annotations

import pytest

from common.config import Secret, SettingsError
from credit_history.settings import CreditHistorySettings

SECRET = {"ACTION_SHARED_SECRET": "s3cret"}


def test_settings_read_the_athena_backend() -> None:
    """GIVEN the athena backend and its settings WHEN read THEN typed, the secret kept hidden."""
    settings = CreditHistorySettings.from_env({
        **SECRET, "CREDIT_HISTORY_BACKEND": "Athena", "ATHENA_WORKGROUP": "wg",
        "ATHENA_DATABASE": "db", "ATHENA_QUERY_TIMEOUT_SECONDS": "12.5", "AWS_REGION": "eu-west-1"})
    assert (settings.backend, settings.athena_workgroup, settings.athena_database,
            settings.athena_timeout_seconds, settings.aws_region) == (
        "athena", "wg", "db", 12.5, "eu-west-1")
    assert settings.shared_secret == Secret("s3cret")
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(("env", "named"), [
    ({}, "CREDIT_HISTORY_DATA_DIR"),
    ({"CREDIT_HISTORY_BACKEND": "athena", "ATHENA_DATABASE": "db"}, "ATHENA_WORKGROUP"),
    ({"CREDIT_HISTORY_BACKEND": "sqlite"}, "CREDIT_HISTORY_BACKEND"),
    ({"CREDIT_HISTORY_DATA_DIR": "/d", "ATHENA_QUERY_TIMEOUT_SECONDS": "soon"},
     "ATHENA_QUERY_TIMEOUT_SECONDS must be a number"),
    ({"CREDIT_HISTORY_DATA_DIR": "/d", "ATHENA_QUERY_TIMEOUT_SECONDS": "0"},
     "ATHENA_QUERY_TIMEOUT_SECONDS must be positive"),
])
def test_settings_name_what_is_missing_or_wrong(env: dict[str, str], named: str) -> None:
    """GIVEN a missing or malformed setting WHEN read THEN SettingsError names it."""
    with pytest.raises(SettingsError, match=named):
        CreditHistorySettings.from_env({**SECRET, **env})


def test_settings_require_the_shared_secret() -> None:
    """GIVEN no shared secret WHEN read THEN SettingsError names ACTION_SHARED_SECRET."""
    with pytest.raises(SettingsError, match="ACTION_SHARED_SECRET"):
        CreditHistorySettings.from_env({"CREDIT_HISTORY_DATA_DIR": "/d"})


def test_settings_read_the_archive_mirror_only_for_duckdb() -> None:
    """Settings read the archive mirror only for duckdb.

    GIVEN an archive bucket WHEN the duckdb backend reads it THEN it mirrors that bucket
    (default prefix athena-data/); WHEN the athena backend does THEN it is ignored.
    """
    local = CreditHistorySettings.from_env({
        **SECRET, "CREDIT_HISTORY_DATA_DIR": "/d", "CREDIT_HISTORY_ARCHIVE_BUCKET": "b"})
    assert (local.archive_bucket, local.archive_data_prefix) == ("b", "athena-data/")
    cloud = CreditHistorySettings.from_env({
        **SECRET, "CREDIT_HISTORY_BACKEND": "athena", "ATHENA_WORKGROUP": "wg",
        "ATHENA_DATABASE": "db", "CREDIT_HISTORY_ARCHIVE_BUCKET": "b"})
    assert cloud.archive_bucket is None
