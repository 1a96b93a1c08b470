"""PostGIS and cast comparisons: ``_cast``, geography and 3D operators, raster intersections."""

from __future__ import annotations

from typing import Any

import asyncpg

from engine.graphql import GraphQLEngine
from tests.engine.graphql.conftest import gql

SQL = """
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS postgis_raster;
CREATE TABLE city (id int PRIMARY KEY, name text NOT NULL, geom geometry NOT NULL,
                   geog geography NOT NULL, info jsonb);
INSERT INTO city VALUES
  (1, 'London', 'SRID=4326;POINT(0.1278 51.5074)', 'SRID=4326;POINT(0.1278 51.5074)', '"big"'),
  (2, 'Paris', 'SRID=4326;POINT(2.3522 48.8566)', 'SRID=4326;POINT(2.3522 48.8566)', '{"a": 1}'),
  (3, 'New York', 'SRID=4326;POINT(-74.006 40.7128)', 'SRID=4326;POINT(-74.006 40.7128)', NULL);
CREATE TABLE spot (id int PRIMARY KEY, geom geometry NOT NULL);
INSERT INTO spot VALUES (1, 'SRID=4326;POINT(1 1 1)'), (2, 'SRID=4326;POINT(1 1 10)');
CREATE TABLE tile (id int PRIMARY KEY, rast raster NOT NULL);
INSERT INTO tile VALUES
  (1, ST_AsRaster(ST_Buffer('SRID=4326;POINT(1 1)'::geometry, 2), 5, 5));
"""


def _metadata() -> dict[str, Any]:
    return {"version": 3, "sources": [{"name": "default", "kind": "postgres", "tables": [
        {"table": {"schema": "public", "name": name}} for name in ("city", "spot", "tile")]}]}


def _point(x: float, y: float, *z: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y, *z]}


async def test_cast_and_postgis_operators(database_url: str) -> None:
    """GIVEN geometry, geography, jsonb, 3D and raster columns.

    WHEN filtering through ``_cast`` and the PostGIS operators Hasura offers per type
    THEN each answers as its PostGIS function does, and a cast Hasura lacks is refused.
    """
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    assert pool is not None
    try:
        async with pool.acquire() as conn:
            await conn.execute(SQL)
        engine = await GraphQLEngine.build(pool, _metadata())
        result = await gql(engine, """query ($p: geography!, $g: geometry!, $z: geometry!,
                                             $near: geometry!, $far: geometry!) {
            meters: city(where: {geom: {_cast: {geography: {_st_d_within: {
                distance: 1000000, from: $p}}}}}, order_by: {id: asc}) { name }
            flat: city(where: {geog: {_st_d_within: {distance: 1000000, from: $p,
                use_spheroid: false}}}, order_by: {id: asc}) { name }
            box: city(where: {geog: {_cast: {geometry: {_st_within: $g}}}}) { name }
            text: city(where: {info: {_cast: {String: {_like: "%big%"}}}}) { name }
            high: spot(where: {geom: {_st_3d_d_within: {distance: 5, from: $z}}}) { id }
            same: spot(where: {geom: {_st_3d_intersects: $z}}) { id }
            band: tile(where: {rast: {_st_intersects_nband_geom: {nband: 1, geommin: $near}}})
              { id }
            far: tile(where: {rast: {_st_intersects_geom_nband: {geommin: $far}}}) { id }
        }""", variables={
            "p": _point(1, 50), "z": _point(1, 1, 12), "near": _point(1, 1), "far": _point(50, 50),
            "g": {"type": "Polygon", "coordinates": [[[-75, 40], [-74, 40], [-74, 41],
                                                      [-75, 41], [-75, 40]]]}})
        assert result == {"data": {
            "meters": [{"name": "London"}, {"name": "Paris"}],
            "flat": [{"name": "London"}, {"name": "Paris"}],
            "box": [{"name": "New York"}], "text": [{"name": "London"}],
            "high": [{"id": 2}], "same": [], "band": [{"id": 1}], "far": []}}
        refused = await gql(engine, "{ city(where: {geog: {_cast: {Int: {_eq: 0}}}}) { id } }")
        assert refused["errors"][0]["message"] == \
            "field 'Int' not found in type: 'geography_cast_exp'"
        sdl = engine.schema_sdl("admin")
        assert "input geography_cast_exp {\n  geometry: geometry_comparison_exp\n}" in sdl
        assert "use_spheroid: Boolean = true" in sdl
    finally:
        await pool.close()
