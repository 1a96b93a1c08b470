"""Engine settings from Hasura's environment variables."""

from __future__ import annotations

import pytest

from engine.settings import EngineSettings, Secret, SettingsError

URL = "postgresql://u:p@127.0.0.1:5432/db"


def test_settings_defaults_follow_hasura() -> None:
    """Settings defaults follow hasura.

    GIVEN only the database URL WHEN settings are read THEN loopback, port 8080, no secret,
    numbers as numbers, console off.
    """
    settings = EngineSettings.from_env({"HASURA_GRAPHQL_DATABASE_URL": URL})
    assert (settings.host, settings.port, settings.admin_secret) == ("127.0.0.1", 8080, None)
    assert settings.stringify_numeric_types is False
    assert settings.enable_console is False
    assert settings.database_url.reveal() == URL


def test_settings_missing_database_url_names_the_variable() -> None:
    """Settings missing database url names the variable.

    GIVEN no HASURA_GRAPHQL_DATABASE_URL WHEN settings are read THEN the error names it.
    """
    with pytest.raises(SettingsError, match="HASURA_GRAPHQL_DATABASE_URL"):
        EngineSettings.from_env({})


def test_settings_reads_every_variable_and_flags_win() -> None:
    """Settings reads every variable and flags win.

    GIVEN every variable set WHEN read with a port override THEN each is typed and the
    override wins.
    """
    settings = EngineSettings.from_env({
        "HASURA_GRAPHQL_DATABASE_URL": URL, "HASURA_GRAPHQL_ADMIN_SECRET": "s",
        "HASURA_GRAPHQL_JWT_SECRET": '{"type": "HS256", "key": "k"}',
        "HASURA_GRAPHQL_UNAUTHORIZED_ROLE": "anonymous", "HASURA_GRAPHQL_SERVER_PORT": "9000",
        "HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES": "true", "HASURA_GRAPHQL_ENABLE_CONSOLE": "1",
        "HASURA_GRAPHQL_PG_CONNECTIONS": "4",
    }, port=9100)
    assert settings.admin_secret == Secret("s")
    assert settings.jwt_secret == {"type": "HS256", "key": "k"}
    assert (settings.unauthorized_role, settings.port, settings.pool_size) == (
        "anonymous", 9100, 4)
    assert settings.stringify_numeric_types
    assert settings.enable_console


@pytest.mark.parametrize(("name", "value"), [
    ("HASURA_GRAPHQL_SERVER_PORT", "eighty"),
    ("HASURA_GRAPHQL_STRINGIFY_NUMERIC_TYPES", "maybe"),
    ("HASURA_GRAPHQL_JWT_SECRET", "{not json"),
    ("HASURA_GRAPHQL_JWT_SECRET", "[1, 2]"),
    ("HASURA_GRAPHQL_PG_CONNECTIONS", "0"),
])
def test_settings_malformed_values_name_the_variable(name: str, value: str) -> None:
    """Settings malformed values name the variable.

    GIVEN a malformed value WHEN settings are read THEN the error names the variable and does
    not echo the value.
    """
    with pytest.raises(SettingsError, match=name) as caught:
        EngineSettings.from_env({"HASURA_GRAPHQL_DATABASE_URL": URL, name: value})
    if name == "HASURA_GRAPHQL_JWT_SECRET":
        assert value not in str(caught.value)


def test_settings_secrets_never_print() -> None:
    """Settings secrets never print.

    GIVEN settings with an admin secret and a database password WHEN shown with repr THEN
    neither appears.
    """
    settings = EngineSettings.from_env({"HASURA_GRAPHQL_DATABASE_URL": URL,
                                        "HASURA_GRAPHQL_ADMIN_SECRET": "top-secret-value"})
    shown = repr(settings) + str(settings.admin_secret)
    assert "top-secret-value" not in shown
    assert "u:p@" not in shown


def test_settings_workers_and_schema_sync() -> None:
    """Settings workers and schema sync.

    GIVEN no setting THEN one worker and a 1 s sync poll (Hasura's 1000 ms); GIVEN
    ENGINE_WORKERS and HASURA_GRAPHQL_SCHEMA_SYNC_POLL_INTERVAL THEN they are read (0 turns the
    sync off) and --workers wins; fewer than one worker is refused naming the setting.
    """
    default = EngineSettings.from_env({"HASURA_GRAPHQL_DATABASE_URL": URL})
    assert (default.workers, default.schema_sync_poll_interval) == (1, 1.0)
    env = {"HASURA_GRAPHQL_DATABASE_URL": URL, "ENGINE_WORKERS": "3",
           "HASURA_GRAPHQL_SCHEMA_SYNC_POLL_INTERVAL": "0"}
    read = EngineSettings.from_env(env)
    assert (read.workers, read.schema_sync_poll_interval) == (3, 0.0)
    assert EngineSettings.from_env(env, workers=2).workers == 2
    with pytest.raises(SettingsError, match="ENGINE_WORKERS"):
        EngineSettings.from_env({**env, "ENGINE_WORKERS": "0"})
    with pytest.raises(SettingsError, match="--workers"):
        EngineSettings.from_env(env, workers=0)
