// One PostGraphile process on loopback: `node server.mjs` with DATABASE_URL and PORT set.
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import preset from "./graphile.config.mjs";

const port = Number(process.env.PORT);
if (!port) {
  throw new Error("PORT is required");
}

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (error) => {
  console.error(error);
  process.exit(1);
});
// The schema is built before the port opens, so "listening" means "ready to answer".
await pgl.getSchema();
await serv.addTo(server);
server.listen(port, "127.0.0.1", () => {
  console.log(`postgraphile listening on http://127.0.0.1:${port}/graphql`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    pgl.release().finally(() => process.exit(0));
  });
}
