"""``/console``: a GraphiQL page for trying queries against this engine (when enabled)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Engine console</title>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3.7.1/graphiql.min.css">
  <style>
    body { margin: 0; height: 100vh; display: flex; flex-direction: column; font: 14px sans-serif; }
    header { padding: 6px 10px; display: flex; gap: 8px; align-items: center; }
    #graphiql { flex: 1; }
  </style>
</head>
<body>
  <header>
    <label>Request headers (JSON)
      <input id="headers" size="80" value='{"x-hasura-admin-secret": ""}'>
    </label>
  </header>
  <div id="graphiql"></div>
  <script crossorigin src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3.7.1/graphiql.min.js"></script>
  <script>
    const fetcher = async (params) => {
      let extra = {};
      try { extra = JSON.parse(document.getElementById('headers').value || '{}'); } catch (e) {}
      const response = await fetch('/v1/graphql', {
        method: 'POST',
        headers: Object.assign({'content-type': 'application/json'}, extra),
        body: JSON.stringify(params),
      });
      return response.json();
    };
    ReactDOM.createRoot(document.getElementById('graphiql'))
      .render(React.createElement(GraphiQL, { fetcher }));
  </script>
</body>
</html>
"""


async def console(request: Request) -> Response:
    """The GraphiQL page (the admin secret is typed in the page, never served)."""
    return HTMLResponse(_PAGE)
