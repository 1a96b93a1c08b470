"""The project's engine for these tests comes from :mod:`tests.hasura.project`.

Its fixtures (``hasura``, ``credit_history``) are registered once for the whole suite by the
root conftest, so every directory that needs them shares one session instance (a fixture
imported into a test module would be a second instance: a second credit-history service on
the same state folder).
"""

from tests.hasura.project import METADATA_ENV, HasuraTarget, project_engine_env

__all__ = ["METADATA_ENV", "HasuraTarget", "project_engine_env"]
