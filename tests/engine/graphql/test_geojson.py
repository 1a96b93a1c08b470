"""GeoJSON input checked before PostgreSQL sees it, with Hasura's messages."""

from __future__ import annotations

import pytest

from engine.graphql.errors import GraphQLFieldError
from engine.graphql.geojson import check_geojson


@pytest.mark.parametrize(("value", "message"), [
    ({"type": "Point", "coordinates": [1]}, "A Position needs at least 2 elements"),
    ({"type": "LineString", "coordinates": [[1, 2]]}, "A LineString needs at least 2 Positions"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]},
     "A LinearRing needs at least 4 Positions"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [2, 2]]]},
     "the first and last locations have to be equal for a LinearRing"),
    ({"type": "Random", "coordinates": [0, 0]}, "unexpected geometry type: Random"),
])
def test_check_geojson_refuses_bad_geometry(value: object, message: str) -> None:
    """GIVEN malformed GeoJSON WHEN checked THEN parse-failed with Hasura's message at path."""
    with pytest.raises(GraphQLFieldError) as err:
        check_geojson(value, "$.x")
    assert (err.value.message, err.value.code, err.value.path) == (message, "parse-failed", "$.x")


def test_check_geojson_accepts_valid_geometry_and_text() -> None:
    """GIVEN a valid polygon and a WKT string WHEN checked THEN nothing is raised."""
    check_geojson({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 0]]]}, "$")
    check_geojson("POINT(1 2)", "$")
