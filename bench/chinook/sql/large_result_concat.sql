-- The engine's large-result statement with the JSON text concatenated: to_json() per scalar
-- (quoting and escaping), literal keys and punctuation, string_agg for arrays. Same parameters.
-- (Object relationships here are all NOT NULL foreign keys; a nullable one needs a CASE.)
SELECT '[' || coalesce(string_agg(_s.j, ',' ORDER BY _s.n NULLS LAST), '') || ']' FROM (
  SELECT _1."Name" AS n,
    '{"Name":' || coalesce(to_json(_1."Name")::text, 'null') || ',"tracks_of_genre":' || (
      SELECT '[' || coalesce(string_agg(_t.j, ','), '') || ']' FROM (
        SELECT '{"Track":{"Name":' || coalesce(to_json(_8."Name")::text, 'null')
          || ',"Album":{"Title":' || coalesce(to_json(_9."Title")::text, 'null')
          || ',"Artist":{"Name":' || coalesce(to_json(_10."Name")::text, 'null')
          || '}},"MediaType":{"Name":' || coalesce(to_json(_11."Name")::text, 'null')
          || '}}}' AS j
        FROM "public"."PlaylistTrack" _5
        LEFT JOIN "public"."Track" _8 ON _8."TrackId" = _5."TrackId"
        LEFT JOIN "public"."Album" _9 ON _9."AlbumId" = _8."AlbumId"
        LEFT JOIN "public"."Artist" _10 ON _10."ArtistId" = _9."ArtistId"
        LEFT JOIN "public"."MediaType" _11 ON _11."MediaTypeId" = _8."MediaTypeId"
        WHERE _5."PlaylistId" = _1."PlaylistId"
          AND EXISTS (SELECT 1 FROM "public"."Track" _6 WHERE _6."TrackId" = _5."TrackId"
            AND EXISTS (SELECT 1 FROM "public"."Genre" _7 WHERE _7."GenreId" = _6."GenreId"
              AND _7."Name" = ($2::text)::varchar))
        LIMIT 1000) _t) || '}' AS j
  FROM "public"."Playlist" _1
  WHERE EXISTS (SELECT 1 FROM "public"."PlaylistTrack" _2 WHERE _2."PlaylistId" = _1."PlaylistId"
    AND EXISTS (SELECT 1 FROM "public"."Track" _3 WHERE _3."TrackId" = _2."TrackId"
      AND EXISTS (SELECT 1 FROM "public"."Genre" _4 WHERE _4."GenreId" = _3."GenreId"
        AND _4."Name" = ($1::text)::varchar)))) _s
