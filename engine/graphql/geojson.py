"""GeoJSON input checked as Hasura checks it before PostgreSQL sees it (same messages)."""

from __future__ import annotations

from typing import Any

from engine.graphql.errors import GraphQLFieldError

_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
          "GeometryCollection")


def _fail(message: str, path: str) -> GraphQLFieldError:
    return GraphQLFieldError(message, "parse-failed", path)


def _position(value: Any, path: str) -> None:
    if not isinstance(value, list) or len(value) < 2:
        raise _fail("A Position needs at least 2 elements", path)


def _line(value: Any, path: str) -> None:
    if not isinstance(value, list) or len(value) < 2:
        raise _fail("A LineString needs at least 2 Positions", path)
    for p in value:
        _position(p, path)


def _ring(value: Any, path: str) -> None:
    if not isinstance(value, list) or len(value) < 4:
        raise _fail("A LinearRing needs at least 4 Positions", path)
    for p in value:
        _position(p, path)
    if value[0] != value[-1]:
        raise _fail("the first and last locations have to be equal for a LinearRing", path)


def _polygon(value: Any, path: str) -> None:
    for ring in value if isinstance(value, list) else [value]:
        _ring(ring, path)


def check_geojson(value: Any, path: str) -> None:
    """Raise Hasura's ``parse-failed`` error when ``value`` is not valid GeoJSON geometry.

    Strings (WKT, EWKB) are left to PostgreSQL.
    """
    if not isinstance(value, dict):
        return
    kind = value.get("type")
    if kind not in _TYPES:
        raise _fail(f"unexpected geometry type: {kind}", path)
    if kind == "GeometryCollection":
        for g in value.get("geometries") or []:
            check_geojson(g, path)
        return
    coords = value.get("coordinates")
    if kind == "Point":
        _position(coords, path)
    elif kind == "MultiPoint":
        for p in coords or []:
            _position(p, path)
    elif kind == "LineString":
        _line(coords, path)
    elif kind == "MultiLineString":
        for line in coords or []:
            _line(line, path)
    elif kind == "Polygon":
        _polygon(coords, path)
    else:
        for polygon in coords or []:
            _polygon(polygon, path)
