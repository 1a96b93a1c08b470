// GraphiQL with the headers editor and the explorer. Queries and mutations go to
// /v1/graphql over HTTP; subscriptions over this engine's /v1/graphql websocket
// (graphql-transport-ws), with the headers sent in the connection_init payload as Hasura
// expects. The admin secret is added to the headers by the fetcher, never shown in the editor.
import { GraphiQL } from 'graphiql';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { getOperationAST, parse } from 'graphql';
import { createClient } from 'graphql-ws';
import { useMemo } from 'react';
import { adminHeaders } from '../api.js';
import 'graphiql/graphiql.css';
import '@graphiql/plugin-explorer/dist/style.css';

const DEFAULT_QUERY = `# Requests run as admin. To try a role, set headers
# in the Headers tab below, e.g.
#   {"x-hasura-role": "user", "x-hasura-user-id": "..."}
query {
  __typename
}
`;

function isSubscription(params) {
  try {
    const op = getOperationAST(parse(params.query), params.operationName || undefined);
    return op !== null && op !== undefined && op.operation === 'subscription';
  } catch {
    return false;
  }
}

export function websocketUrl() {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/v1/graphql`;
}

async function* subscribe(params, headers) {
  const { 'content-type': _ignored, ...sent } = headers;
  const client = createClient({
    url: websocketUrl(),
    connectionParams: { headers: sent },
    lazy: true,
    retryAttempts: 0,
  });
  try {
    yield* client.iterate({ query: params.query, variables: params.variables, operationName: params.operationName });
  } finally {
    await client.dispose();
  }
}

function fetcher(params, options = {}) {
  const headers = adminHeaders(options.headers || {});
  if (isSubscription(params)) return subscribe(params, headers);
  return fetch('/v1/graphql', { method: 'POST', headers, body: JSON.stringify(params) })
    .then((response) => response.json());
}

export default function GraphiQLPage() {
  const [explorer, plugins] = useMemo(() => {
    const plugin = explorerPlugin();
    return [plugin, [plugin]];
  }, []);
  return (
    <div className="graphiql-host" data-testid="graphiql">
      <GraphiQL
        fetcher={fetcher}
        plugins={plugins}
        visiblePlugin={explorer}
        defaultQuery={DEFAULT_QUERY}
        isHeadersEditorEnabled
        shouldPersistHeaders={false}
        defaultEditorToolsVisibility="headers"
      />
    </div>
  );
}
