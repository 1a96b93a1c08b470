// Actions: definitions, handler URLs (templates as written, so env-var names only) and
// the roles allowed; header values are shown only as the env vars they come from.
import { Badge, Json, headerSource } from '../ui.jsx';

export function ActionsPage({ metadata }) {
  const actions = metadata.actions || [];
  return (
    <section className="content wide">
      <div className="toolbar"><h2>Actions</h2><span className="muted">{actions.length} defined</span></div>
      {actions.length === 0 && <p className="muted">No actions in the metadata.</p>}
      <table className="grid" data-testid="actions">
        <thead>
          <tr><th>name</th><th>kind</th><th>handler</th><th>headers</th><th>forwards client headers</th><th>timeout</th><th>roles</th><th>comment</th></tr>
        </thead>
        <tbody>
          {actions.map((a) => {
            const d = a.definition || {};
            return (
              <tr key={a.name}>
                <td><strong>{a.name}</strong><div className="muted small">{d.type || 'mutation'}</div></td>
                <td><Badge kind={d.kind === 'asynchronous' ? 'partial' : 'full'}>{d.kind || 'synchronous'}</Badge></td>
                <td><code>{d.handler}</code></td>
                <td>{(d.headers || []).map((h) => <div key={h.name}>{h.name}: {headerSource(h)}</div>)}</td>
                <td>{d.forward_client_headers ? 'yes' : 'no'}</td>
                <td>{d.timeout ? `${d.timeout}s` : '30s'}</td>
                <td>{(a.permissions || []).map((p) => <span className="tag" key={p.role}>{p.role}</span>)}</td>
                <td className="muted">{a.comment || ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {metadata.custom_types && (
        <details className="block">
          <summary>Custom types</summary>
          <Json value={metadata.custom_types} open />
        </details>
      )}
    </section>
  );
}
