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

/**
 * ``params`` with an operation name the document has: GraphiQL can pass the name of the
 * previous text's operation when the editor's text was just replaced, and a document of one
 * operation runs that one. Also whether that operation is a subscription.
 */
function resolveOperation(params) {
  try {
    const doc = parse(params.query);
    const operations = doc.definitions.filter((d) => d.kind === 'OperationDefinition');
    let name = params.operationName || undefined;
    if (name && !operations.some((op) => op.name && op.name.value === name) && operations.length === 1) {
      name = operations[0].name ? operations[0].name.value : undefined;
    }
    const op = getOperationAST(doc, name);
    return [{ ...params, operationName: name }, Boolean(op && op.operation === 'subscription')];
  } catch {
    return [params, false];
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

function fetcher(graphiqlParams, options = {}) {
  const headers = adminHeaders(options.headers || {});
  const [params, subscription] = resolveOperation(graphiqlParams);
  if (subscription) return subscribe(params, headers);
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
