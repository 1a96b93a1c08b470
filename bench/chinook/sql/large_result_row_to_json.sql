-- The engine's large-result statement with each object built by row_to_json over a
-- subselect (Hasura's own shape) instead of json_build_object. Same parameters: $1, $2 = genre.
SELECT coalesce(json_agg(_s.j), '[]')::text FROM (
  SELECT row_to_json((SELECT _e FROM (SELECT _1."Name" AS "Name", (
    SELECT coalesce(json_agg(_t.j), '[]') FROM (
      SELECT row_to_json((SELECT _e2 FROM (SELECT (SELECT _e3 FROM (SELECT _8."Name" AS "Name",
          (SELECT _e4 FROM (SELECT _9."Title" AS "Title",
              (SELECT _e5 FROM (SELECT _10."Name" AS "Name") _e5) AS "Artist") _e4) AS "Album",
          (SELECT _e6 FROM (SELECT _11."Name" AS "Name") _e6) AS "MediaType") _e3) AS "Track") _e2)) AS j
      FROM "public"."PlaylistTrack" _5
      LEFT JOIN "public"."Track" _8 ON _8."TrackId" = _5."TrackId"
      LEFT JOIN "public"."Album" _9 ON _9."AlbumId" = _8."AlbumId"
      LEFT JOIN "public"."Artist" _10 ON _10."ArtistId" = _9."ArtistId"
      LEFT JOIN "public"."MediaType" _11 ON _11."MediaTypeId" = _8."MediaTypeId"
      WHERE _5."PlaylistId" = _1."PlaylistId"
        AND EXISTS (SELECT 1 FROM "public"."Track" _6 WHERE _6."TrackId" = _5."TrackId"
          AND EXISTS (SELECT 1 FROM "public"."Genre" _7 WHERE _7."GenreId" = _6."GenreId"
            AND _7."Name" = ($2::text)::varchar))
      LIMIT 1000) _t) AS "tracks_of_genre") _e)) AS j
  FROM "public"."Playlist" _1
  WHERE EXISTS (SELECT 1 FROM "public"."PlaylistTrack" _2 WHERE _2."PlaylistId" = _1."PlaylistId"
    AND EXISTS (SELECT 1 FROM "public"."Track" _3 WHERE _3."TrackId" = _2."TrackId"
      AND EXISTS (SELECT 1 FROM "public"."Genre" _4 WHERE _4."GenreId" = _3."GenreId"
        AND _4."Name" = ($1::text)::varchar)))
  ORDER BY _1."Name" ASC NULLS LAST) _s
