// Permissions: per table, the role × operation matrix (row filter, columns, presets); a
// permission edited through /v1/metadata, then the role's schema before and after, and the
// rows the role now sees.
import { useEffect, useMemo, useState } from 'react';
import { graphql, metadataApi } from '../api.js';
import {
  defaultSource, describeTable, introspect, qualified, schemaFieldSet, showValue, tableKey,
} from '../schema.js';
import { Badge, ErrorBox, Json, ListAndDetail, Notice, useAction } from '../ui.jsx';

const OPERATIONS = ['insert', 'select', 'update', 'delete'];
const FILTER_KEY = { insert: 'check', select: 'filter', update: 'filter', delete: 'filter' };

function permissionsOf(entry, op) {
  return Object.fromEntries((entry[`${op}_permissions`] || []).map((p) => [p.role, p.permission]));
}

/** Every role named in the metadata's permissions and inherited roles. */
function allRoles(metadata, source) {
  const roles = new Set();
  for (const entry of source.tables) {
    for (const op of OPERATIONS) Object.keys(permissionsOf(entry, op)).forEach((r) => roles.add(r));
  }
  for (const r of metadata.inherited_roles || []) roles.add(r.role_name);
  for (const a of metadata.actions || []) (a.permissions || []).forEach((p) => roles.add(p.role));
  return [...roles].sort();
}

export function PermissionsPage({ metadata, reloadMetadata, detail, navigate }) {
  const source = defaultSource(metadata);
  const tables = source.tables.map((entry) => ({ key: tableKey(entry.table), label: tableKey(entry.table), entry }));
  const selected = tables.find((t) => t.key === detail) || null;
  const [extraRoles, setExtraRoles] = useState([]);
  const roles = [...new Set([...allRoles(metadata, source), ...extraRoles])].sort();
  return (
    <ListAndDetail title="Tables" items={tables} selected={selected}
      onSelect={(key) => navigate('permissions', key)} empty="No tracked tables."
      hint="Pick a table to see who may do what with it.">
      <PermissionMatrix key={detail} source={source.name} entry={selected && selected.entry} roles={roles}
        addRole={(r) => setExtraRoles([...extraRoles, r])} reloadMetadata={reloadMetadata} />
    </ListAndDetail>
  );
}

function Cell({ permission, op }) {
  if (!permission) return <Badge kind="none">✗ none</Badge>;
  const filter = permission[FILTER_KEY[op]];
  const unrestricted = !filter || Object.keys(filter).length === 0;
  const cols = permission.columns;
  return (
    <div className="cell">
      <Badge kind={unrestricted ? 'full' : 'partial'}>{unrestricted ? '✓ all rows' : '◐ filtered'}</Badge>
      {!unrestricted && <div><span className="muted small">{FILTER_KEY[op]}</span> <Json value={filter} /></div>}
      {op === 'update' && permission.check && Object.keys(permission.check).length > 0 && (
        <div><span className="muted small">check</span> <Json value={permission.check} /></div>
      )}
      {cols && <div><span className="muted small">columns</span> {cols === '*' ? 'all' : cols.join(', ')}</div>}
      {permission.set && Object.keys(permission.set).length > 0 && (
        <div><span className="muted small">presets</span> <Json value={permission.set} /></div>
      )}
      {permission.limit !== undefined && <div><span className="muted small">limit</span> {permission.limit}</div>}
      {permission.allow_aggregations && <div className="muted small">aggregations allowed</div>}
    </div>
  );
}

function PermissionMatrix({ source, entry, roles, addRole, reloadMetadata }) {
  const [editing, setEditing] = useState(null); // {role, op}
  const [newRole, setNewRole] = useState('');
  const [change, setChange] = useState(null);
  const byOp = Object.fromEntries(OPERATIONS.map((op) => [op, permissionsOf(entry, op)]));
  const name = tableKey(entry.table);
  return (
    <div>
      <div className="toolbar"><h2>Permissions of {name}</h2></div>
      <table className="grid matrix" data-testid="permission-matrix">
        <thead>
          <tr><th>role</th>{OPERATIONS.map((op) => <th key={op}>{op}</th>)}</tr>
        </thead>
        <tbody>
          <tr>
            <td><strong>admin</strong></td>
            {OPERATIONS.map((op) => <td key={op}><Badge kind="full">✓ everything</Badge></td>)}
          </tr>
          {roles.map((role) => (
            <tr key={role}>
              <td><strong>{role}</strong></td>
              {OPERATIONS.map((op) => (
                <td key={op} className={editing && editing.role === role && editing.op === op ? 'editing' : ''}>
                  <button type="button" className="cell-button" data-role={role} data-op={op}
                    onClick={() => { setChange(null); setEditing({ role, op }); }} title={`edit ${role} ${op}`}>
                    <Cell permission={byOp[op][role]} op={op} />
                  </button>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={(e) => { e.preventDefault(); if (newRole) { addRole(newRole); setNewRole(''); } }}>
        <input placeholder="new role" value={newRole} onChange={(e) => setNewRole(e.target.value.trim())} />
        <button type="submit" className="link">+ add role</button>
      </form>
      {editing && (
        <PermissionEditor
          key={`${editing.role}/${editing.op}`}
          source={source}
          entry={entry}
          role={editing.role}
          op={editing.op}
          current={byOp[editing.op][editing.role]}
          onClose={() => setEditing(null)}
          onSaved={async (summary) => { setChange(summary); setEditing(null); await reloadMetadata(); }}
        />
      )}
      {change && <SchemaChange change={change} entry={entry} />}
    </div>
  );
}

const parseJson = (label, text) => {
  try {
    return JSON.parse(text || '{}');
  } catch {
    throw new Error(`${label} is not valid JSON`);
  }
};

function PermissionEditor({ source, entry, role, op, current, onClose, onSaved }) {
  const [columns, setColumns] = useState(null);
  const filterKey = FILTER_KEY[op];
  const [filter, setFilter] = useState(JSON.stringify((current && current[filterKey]) || {}, null, 2));
  const [check, setCheck] = useState(JSON.stringify((current && current.check) || {}, null, 2));
  const [presets, setPresets] = useState(JSON.stringify((current && current.set) || {}, null, 2));
  const [chosen, setChosen] = useState(current && current.columns);
  const [limit, setLimit] = useState(current && current.limit !== undefined ? String(current.limit) : '');
  const [aggregations, setAggregations] = useState(Boolean(current && current.allow_aggregations));
  const action = useAction();
  const table = qualified(entry.table);

  useEffect(() => {
    action.run(async () => {
      const info = describeTable(await introspect(), entry);
      setColumns(info ? info.columns.map((c) => c.name) : []);
    });
  }, [entry]); // eslint-disable-line react-hooks/exhaustive-deps

  const selectedColumns = chosen === '*' ? columns || [] : chosen || [];
  const toggle = (c) => setChosen(selectedColumns.includes(c) ? selectedColumns.filter((x) => x !== c) : [...selectedColumns, c]);

  const permission = () => {
    const p = {};
    if (op !== 'delete') p.columns = chosen === '*' ? '*' : selectedColumns;
    p[filterKey] = parseJson(filterKey === 'check' ? 'Row check' : 'Row filter', filter);
    if (op === 'update') p.check = parseJson('Row check', check);
    if (op === 'insert' || op === 'update') p.set = parseJson('Presets', presets);
    if (op === 'select') {
      if (limit !== '') p.limit = Number(limit);
      p.allow_aggregations = aggregations;
    }
    return p;
  };
  const args = { source, table, role };
  const steps = (create) => [
    ...(current ? [{ type: `pg_drop_${op}_permission`, args }] : []),
    ...(create ? [{ type: `pg_create_${op}_permission`, args: { ...args, permission: create } }] : []),
  ];
  const apply = (create) => action.run(async () => {
    const before = await introspect({ 'x-hasura-role': role });
    await metadataApi('bulk', steps(create));
    const after = await introspect({ 'x-hasura-role': role });
    await onSaved({ role, op, before, after });
  });

  return (
    <form className="perm-editor" data-testid="permission-editor"
      onSubmit={(e) => { e.preventDefault(); action.run(async () => permission()).then((p) => p && apply(p)); }}>
      <h3>{op} permission of <em>{role}</em> on {tableKey(entry.table)}</h3>
      <div className="perm-fields">
        <label className="block">
          <span>{filterKey === 'check' ? 'Row check (rows the role may insert)' : 'Row filter (rows the role may reach)'}</span>
          <textarea name="filter" rows={5} value={filter} onChange={(e) => setFilter(e.target.value)} spellCheck={false} />
          <span className="muted small">A boolean expression, e.g. {'{"id": {"_eq": "X-Hasura-User-Id"}}'}; {'{}'} allows every row.</span>
        </label>
        {op === 'update' && (
          <label className="block">
            <span>Row check after update</span>
            <textarea name="check" rows={4} value={check} onChange={(e) => setCheck(e.target.value)} spellCheck={false} />
          </label>
        )}
        {op !== 'delete' && (
          <fieldset className="block">
            <legend>Columns</legend>
            {columns === null && <span className="muted">loading…</span>}
            {columns && (
              <>
                <label className="check">
                  <input type="checkbox" checked={chosen === '*'} onChange={(e) => setChosen(e.target.checked ? '*' : [])} /> all, including future columns
                </label>
                {columns.map((c) => (
                  <label className="check" key={c}>
                    <input type="checkbox" name={`col-${c}`} checked={selectedColumns.includes(c)} disabled={chosen === '*'} onChange={() => toggle(c)} /> {c}
                  </label>
                ))}
              </>
            )}
          </fieldset>
        )}
        {(op === 'insert' || op === 'update') && (
          <label className="block">
            <span>Column presets</span>
            <textarea name="presets" rows={3} value={presets} onChange={(e) => setPresets(e.target.value)} spellCheck={false} />
            <span className="muted small">e.g. {'{"user_id": "X-Hasura-User-Id"}'}</span>
          </label>
        )}
        {op === 'select' && (
          <div className="block">
            <label>Row limit <input name="limit" type="number" min="0" value={limit} onChange={(e) => setLimit(e.target.value)} /></label>
            <label className="check"><input type="checkbox" checked={aggregations} onChange={(e) => setAggregations(e.target.checked)} /> allow aggregation queries</label>
          </div>
        )}
      </div>
      <ErrorBox error={action.error} />
      <div className="buttons">
        <button type="submit" disabled={action.busy}>Save permission</button>
        {current && <button type="button" className="danger" disabled={action.busy} onClick={() => apply(null)}>Delete permission</button>}
        <button type="button" className="link" onClick={onClose}>Close</button>
      </div>
    </form>
  );
}

/** What the role's GraphQL schema gained and lost, and a preview of its rows. */
function SchemaChange({ change, entry }) {
  const diff = useMemo(() => {
    const before = schemaFieldSet(change.before);
    const after = schemaFieldSet(change.after);
    return {
      added: [...after].filter((f) => !before.has(f)).sort(),
      removed: [...before].filter((f) => !after.has(f)).sort(),
    };
  }, [change]);
  return (
    <section className="schema-change" data-testid="schema-change">
      <h3>Schema of <em>{change.role}</em> after saving its {change.op} permission</h3>
      {diff.added.length === 0 && diff.removed.length === 0 && (
        <Notice>The role's schema is unchanged (only which rows it reaches may differ: preview them below).</Notice>
      )}
      {(diff.added.length > 0 || diff.removed.length > 0) && (
        <pre className="diff">
          {diff.added.map((f) => <div key={`+${f}`} className="added">+ {f}</div>)}
          {diff.removed.map((f) => <div key={`-${f}`} className="removed">- {f}</div>)}
        </pre>
      )}
      <RolePreview role={change.role} entry={entry} schema={change.after} />
    </section>
  );
}

/** The rows of this table the role sees now, with session variables typed in. */
function RolePreview({ role, entry, schema }) {
  const [session, setSession] = useState('{"x-hasura-user-id": ""}');
  const [rows, setRows] = useState(null);
  const action = useAction();
  const info = describeTable(schema, entry);
  const run = (e) => {
    e.preventDefault();
    action.run(async () => {
      const vars = JSON.parse(session || '{}');
      const cols = info.columns.map((c) => c.name).join(' ');
      const data = await graphql(`query ConsolePreview { rows: ${info.roots.select}(limit: 20) { ${cols} } }`, {},
        { ...vars, 'x-hasura-role': role });
      setRows(data.rows);
    });
  };
  if (!info) return <Notice>The role {role} cannot select from this table.</Notice>;
  return (
    <form className="preview" onSubmit={run} data-testid="role-preview">
      <label>
        Session variables of <em>{role}</em>{' '}
        <input name="session" size={50} value={session} onChange={(e) => setSession(e.target.value)} />
      </label>
      <button type="submit" disabled={action.busy}>Show rows as {role}</button>
      <ErrorBox error={action.error} />
      {rows && (
        <div className="table-wrap">
          <table className="grid" data-testid="preview-rows">
            <thead><tr>{info.columns.map((c) => <th key={c.name}>{c.name}</th>)}</tr></thead>
            <tbody>
              {rows.map((r, i) => <tr key={i}>{info.columns.map((c) => <td key={c.name}>{showValue(r[c.name])}</td>)}</tr>)}
            </tbody>
          </table>
        </div>
      )}
      {rows && <p className="muted small" data-testid="preview-count">{rows.length} row(s) visible to {role}</p>}
    </form>
  );
}
