"""``hdb_catalog.hdb_version``: the one row Hasura's server and its CLI share.

The engine creates it with the metadata catalog; ``devstack migrate`` creates it when it
migrates a database before any engine has run. Both must give it Hasura v2's shape, so a
database prepared here can be handed to a real Hasura and its CLI.
"""

CATALOG_VERSION = "48"
"""Catalog version written when the table is created (Hasura v2's latest); Hasura's server
reads it to decide which catalog upgrades to run."""

CREATE_HDB_VERSION = """
CREATE SCHEMA IF NOT EXISTS hdb_catalog;
CREATE TABLE IF NOT EXISTS hdb_catalog.hdb_version (
    hasura_uuid uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
    version text NOT NULL,
    upgraded_on timestamptz NOT NULL,
    cli_state jsonb NOT NULL DEFAULT '{}'::jsonb,
    console_state jsonb NOT NULL DEFAULT '{}'::jsonb,
    ee_client_id text,
    ee_client_secret text
);
CREATE UNIQUE INDEX IF NOT EXISTS hdb_version_one_row
    ON hdb_catalog.hdb_version ((version IS NOT NULL));
"""
