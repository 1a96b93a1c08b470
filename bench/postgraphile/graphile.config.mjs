// PostGraphile v5 for the Chinook benchmark: the "amber" preset (v5 defaults), plus
// connection filters with relations, which the complex query needs to express Hasura's
// `where: {PlaylistTracks: {Track: {Genre: {Name: {_eq: $genre}}}}}`.
//
// Permissions: none. PostGraphile connects as the database owner; the row filter that
// Hasura's `employee` role applies to Customer (SupportRepId = X-Hasura-User-Id) is
// written into the PostGraphile query as a `condition` instead. Every other table is
// unfiltered for `employee`, so both servers return the same rows. Doing it with RLS
// would add BEGIN + set_config + COMMIT round trips per request to PostGraphile only.
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  throw new Error("DATABASE_URL is required");
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  pgServices: [
    makePgService({
      connectionString: databaseUrl,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.PG_POOL_MAX ?? "10") },
    }),
  ],
  // By default v5 only lets clients order and filter by indexed columns; Hasura allows any
  // column, and the complex query orders by Playlist.Name and filters on Genre.Name.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  schema: {
    connectionFilterRelations: true,
  },
  grafserv: {
    graphiql: false,
    watch: false,
  },
  grafast: {
    explain: false,
  },
};

export default preset;
