"""Database and metadata state as Hasura's harness prepares it for a class and for each case.

The fixture kinds (``manifest.json``'s ``fixtures``) and where each file goes:

=====================================================  ============================  ==========
fixture                                                 files                         when
=====================================================  ============================  ==========
``per_class_tests_db_state``                            ``setup`` / ``teardown``      class
``per_method_tests_db_state``                           ``setup`` / ``teardown``      each case
``per_class_db_schema_for_mutation_tests``              ``schema_setup`` / ``_teardown``  class
``per_method_db_data_for_mutation_tests``               ``values_setup`` / ``_teardown``  each case
``postgis``                                             extensions postgis, raster, topology  class
=====================================================  ============================  ==========

With ``setup_metadata_api_version: v2`` the SQL half of a class's state (``schema_setup``,
``values_setup``) goes to ``/v2/query`` and the metadata half (``setup``, ``teardown``) to
``/v1/metadata``; otherwise every file goes to ``/v1/query``. Between classes the database
and the metadata are reset, so no class sees what an earlier one left behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from engine.conformance.cases import TestClass, load_yaml

PER_CLASS = "per_class_tests_db_state"
PER_METHOD = "per_method_tests_db_state"
MUTATION_SCHEMA = "per_class_db_schema_for_mutation_tests"
MUTATION_DATA = "per_method_db_data_for_mutation_tests"
POSTGIS = "postgis"

# What the harness creates once per database (the cases rely on it).
DATABASE_BASICS = ("CREATE SCHEMA IF NOT EXISTS hge_tests; "
                   "CREATE EXTENSION IF NOT EXISTS citext; "
                   "CREATE EXTENSION IF NOT EXISTS ltree; "
                   "CREATE EXTENSION IF NOT EXISTS pgcrypto;")
POSTGIS_EXTENSIONS = ("CREATE EXTENSION IF NOT EXISTS postgis; "
                      "CREATE EXTENSION IF NOT EXISTS postgis_raster; "
                      "CREATE EXTENSION IF NOT EXISTS postgis_topology;")
# Every schema the cases may have created goes; ``public`` comes back empty.
RESET_SQL = """
DO $$
DECLARE s text;
BEGIN
  FOR s IN SELECT nspname FROM pg_namespace
           WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'hdb_catalog')
  LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
END $$;
CREATE SCHEMA public;
"""


class SetupError(Exception):
    """A fixture file was rejected by the engine."""


class Poster(Protocol):
    """Sends an admin request: ``(status, body)``."""

    async def __call__(self, url: str, body: Any) -> tuple[int, Any]:
        """POST ``body`` to ``url`` with the admin secret."""


@dataclass(frozen=True)
class Step:
    """One fixture file and the endpoint it is posted to."""

    path: Path
    url: str


class ClassState:
    """The fixture steps of one class, and how to run them."""

    def __init__(self, tc: TestClass) -> None:
        self.tc = tc
        self.v2 = tc.metadata_api_version == "v2"
        fx = set(tc.fixtures)
        self.per_class_db = PER_CLASS in fx
        self.per_method_db = PER_METHOD in fx
        self.mutation = MUTATION_SCHEMA in fx
        self.mutation_data = MUTATION_DATA in fx
        self.postgis = POSTGIS in fx

    def _sql_url(self) -> str:
        return "/v2/query" if self.v2 else "/v1/query"

    def _metadata_url(self) -> str:
        return "/v1/metadata" if self.v2 else "/v1/query"

    def _db_state(self) -> tuple[list[Step], list[Step]]:
        """``setup``/``teardown`` (and, in v2, their ``schema_`` SQL halves)."""
        d = self.tc.dir
        if not self.v2:
            return ([Step(d / "setup.yaml", "/v1/query")],
                    [Step(d / "teardown.yaml", "/v1/query")])
        return ([Step(d / "schema_setup.yaml", "/v2/query"),
                 Step(d / "setup.yaml", "/v1/metadata")],
                [Step(d / "teardown.yaml", "/v1/metadata"),
                 Step(d / "schema_teardown.yaml", "/v2/query")])

    def class_steps(self) -> tuple[list[Step], list[Step]]:
        """Setup and teardown steps around the whole class."""
        d = self.tc.dir
        if self.per_class_db:
            return self._db_state()
        if self.mutation:
            if not self.v2:
                return ([Step(d / "schema_setup.yaml", "/v1/query")],
                        [Step(d / "schema_teardown.yaml", "/v1/query")])
            return ([Step(d / "schema_setup.yaml", "/v2/query"),
                     Step(d / "setup.yaml", "/v1/metadata")],
                    [Step(d / "teardown.yaml", "/v1/metadata"),
                     Step(d / "schema_teardown.yaml", "/v2/query")])
        return [], []

    def case_steps(self) -> tuple[list[Step], list[Step]]:
        """Setup and teardown steps around each case."""
        d = self.tc.dir
        if self.per_method_db:
            return self._db_state()
        if self.mutation_data:
            return ([Step(d / "values_setup.yaml", self._sql_url())],
                    [Step(d / "values_teardown.yaml", self._sql_url())])
        return [], []


async def apply(post: Poster, steps: list[Step], *, required: bool = True) -> None:
    """Post each existing fixture file; a refused one raises :class:`SetupError` if required."""
    for step in steps:
        body = load_yaml(step.path)
        if body is None:
            continue
        status, answer = await post(step.url, body)
        if status != 200 and required:
            raise SetupError(f"{step.path.name}: HTTP {status}: {str(answer)[:400]}")


def _empty_sources(metadata: Any) -> list[dict[str, Any]]:
    sources = metadata.get("sources") if isinstance(metadata, dict) else None
    out = []
    for src in sources or []:
        kept = {k: v for k, v in src.items() if k in ("name", "kind", "configuration")}
        out.append({**kept, "tables": [], "functions": []})
    return out


async def reset(post: Poster) -> None:
    """Empty metadata (the sources kept), every user schema dropped, the basics created."""
    status, exported = await post("/v1/metadata", {"type": "export_metadata", "args": {}})
    if status == 200:
        await post("/v1/metadata", {"type": "replace_metadata", "args": {
            "version": 3, "sources": _empty_sources(exported)}})
    status, answer = await post("/v2/query", {"type": "run_sql", "args": {
        "sql": RESET_SQL + DATABASE_BASICS}})
    if status != 200:
        raise SetupError(f"resetting the database: HTTP {status}: {str(answer)[:400]}")


async def create_postgis(post: Poster) -> str:
    """Create the PostGIS extensions; the reason when they are not available, else ''."""
    status, answer = await post("/v2/query", {"type": "run_sql", "args": {
        "sql": POSTGIS_EXTENSIONS}})
    if status == 200:
        return ""
    return f"PostGIS is not available in this database ({str(answer)[:160]})"
