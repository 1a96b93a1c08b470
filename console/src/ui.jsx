// Small pieces shared by the pages.
import { useState } from 'react';

/** An engine error, with its code (a constraint violation, a permission error, ...). */
export function ErrorBox({ error, onClose }) {
  if (!error) return null;
  const message = error.message || String(error);
  return (
    <div className="error-box" role="alert" data-testid="error">
      <strong>{error.code ? `${error.code}: ` : 'Error: '}</strong>
      <span>{message}</span>
      {onClose && <button type="button" className="link" onClick={onClose}>dismiss</button>}
    </div>
  );
}

export function Notice({ children }) {
  return children ? <div className="notice" role="status">{children}</div> : null;
}

/** JSON shown compactly, expandable when long. */
export function Json({ value, open = false }) {
  const text = JSON.stringify(value, null, 2);
  if (value === undefined) return <span className="muted">—</span>;
  if (text.length < 80) return <code className="json-inline">{JSON.stringify(value)}</code>;
  return (
    <details open={open}>
      <summary><code className="json-inline">{JSON.stringify(value).slice(0, 60)}…</code></summary>
      <pre className="json">{text}</pre>
    </details>
  );
}

export function Badge({ kind, children }) {
  return <span className={`badge badge-${kind}`}>{children}</span>;
}

/** A list to pick one item from, as a left column. */
export function SideList({ title, items, selected, onSelect, empty }) {
  return (
    <aside className="sidelist">
      <h2>{title}</h2>
      {items.length === 0 && <p className="muted small">{empty}</p>}
      <ul>
        {items.map(({ key, label, hint }) => (
          <li key={key}>
            <button type="button" className={key === selected ? 'active' : ''} onClick={() => onSelect(key)}>
              {label}{hint && <span className="muted small"> {hint}</span>}
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}

/** Runs an async action with a busy flag and the error kept for display. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (fn) => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

/** A header's value as the console may show it: env-var names only, never a literal. */
export function headerSource(header) {
  if (header.value_from_env) return <code>env: {header.value_from_env}</code>;
  return <span className="muted">literal value (hidden)</span>;
}

/** A webhook as configured: the env-var name when it comes from one, the URL template otherwise. */
export function webhookSource(def) {
  if (def.webhook_from_env) return <code>env: {def.webhook_from_env}</code>;
  return <code>{def.webhook || def.handler}</code>;
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/**
 * A list on the left and the chosen item on the right: ``children`` shows once an item is
 * chosen, ``hint`` until then; ``top`` shows above either (errors of loading the list).
 */
export function ListAndDetail({ title, items, selected, onSelect, empty, hint, top, children }) {
  return (
    <div className="split">
      <SideList title={title} items={items} selected={selected && selected.key} onSelect={onSelect} empty={empty} />
      <section className="content">
        {top}
        {!selected && <p className="muted">{hint}</p>}
        {selected && children}
      </section>
    </div>
  );
}
