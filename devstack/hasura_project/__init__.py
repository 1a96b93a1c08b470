"""The Hasura CLI project in ``hasura/``: migrations, metadata directory, validation and seeds.

Everything here reads and writes the same formats the Hasura CLI does, so the folder and a
database migrated by ``devstack`` can be handed to real Hasura unchanged.
"""
