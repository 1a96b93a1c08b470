// Relationships per table: object and array relationships (foreign key or manual mapping)
// and remote relationships, as the metadata defines them.
import { defaultSource, qualified, tableKey } from '../schema.js';
import { Badge, Json, ListAndDetail } from '../ui.jsx';

function target(using) {
  if (using.foreign_key_constraint_on) {
    const fk = using.foreign_key_constraint_on;
    if (typeof fk === 'string' || Array.isArray(fk)) return { how: 'foreign key on this table', columns: fk };
    if (fk.column || fk.columns) {
      return { table: tableKey(fk.table), how: 'foreign key on the remote table', columns: fk.column || fk.columns };
    }
  }
  if (using.manual_configuration) {
    const m = using.manual_configuration;
    return { table: tableKey(m.remote_table), how: 'manual mapping', columns: m.column_mapping };
  }
  return { how: 'unknown', columns: using };
}

/** Object and array relationships of a table entry, each with its kind. */
function rows(entry) {
  const out = [];
  for (const r of entry.object_relationships || []) out.push({ kind: 'object', ...r });
  for (const r of entry.array_relationships || []) out.push({ kind: 'array', ...r });
  return out;
}

export function RelationshipsPage({ metadata, detail, navigate }) {
  const source = defaultSource(metadata);
  const tables = source.tables.map((entry) => ({
    key: tableKey(entry.table),
    label: tableKey(entry.table),
    hint: String(rows(entry).length + (entry.remote_relationships || []).length),
    entry,
  }));
  const selected = tables.find((t) => t.key === detail) || null;
  return (
    <ListAndDetail title="Tables" items={tables} selected={selected}
      onSelect={(key) => navigate('relationships', key)} empty="No tracked tables."
      hint="Pick a table to see its relationships.">
      <Relationships entry={selected && selected.entry} />
    </ListAndDetail>
  );
}

function Relationships({ entry }) {
  const list = rows(entry);
  const remote = entry.remote_relationships || [];
  const t = qualified(entry.table);
  return (
    <div>
      <div className="toolbar"><h2>Relationships of {tableKey(t)}</h2></div>
      {list.length === 0 && remote.length === 0 && <p className="muted">This table has no relationships.</p>}
      {list.length > 0 && (
        <table className="grid" data-testid="relationships">
          <thead><tr><th>name</th><th>type</th><th>to</th><th>using</th><th>columns</th><th>comment</th></tr></thead>
          <tbody>
            {list.map((r) => {
              const to = target(r.using);
              return (
                <tr key={r.name}>
                  <td><strong>{r.name}</strong></td>
                  <td><Badge kind={r.kind === 'object' ? 'full' : 'partial'}>{r.kind}</Badge></td>
                  <td>{to.table || '—'}</td>
                  <td>{to.how}</td>
                  <td><Json value={to.columns} /></td>
                  <td className="muted">{r.comment || ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {remote.length > 0 && (
        <>
          <h3>Remote relationships</h3>
          <table className="grid">
            <thead><tr><th>name</th><th>definition</th></tr></thead>
            <tbody>
              {remote.map((r) => <tr key={r.name}><td>{r.name}</td><td><Json value={r.definition} /></td></tr>)}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
