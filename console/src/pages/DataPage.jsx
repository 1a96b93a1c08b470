// Data: the tables of the default source, their rows (filter, sort, pages) read through
// /v1/graphql as admin, and rows inserted, edited and deleted the same way.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { graphql } from '../api.js';
import {
  defaultSource, describeTable, introspect, parseInput, showValue, tableKey,
} from '../schema.js';
import { ErrorBox, ListAndDetail, Notice, useAction } from '../ui.jsx';

const OPERATORS = [
  ['_eq', '='], ['_neq', '≠'], ['_gt', '>'], ['_gte', '≥'], ['_lt', '<'], ['_lte', '≤'],
  ['_like', 'like'], ['_ilike', 'ilike'], ['_in', 'in (a,b,…)'], ['_is_null', 'is null'],
];
const PAGE_SIZES = [10, 20, 50, 100];

/** ``where`` of the filters typed in (values typed by their column). */
function whereOf(filters, columns) {
  const parts = filters.filter((f) => f.column).map((f) => {
    const type = columns.find((c) => c.name === f.column).type;
    let value;
    if (f.op === '_is_null') value = f.value !== 'false';
    else if (f.op === '_in') value = f.value.split(',').map((v) => parseInput(v.trim(), type));
    else if (f.op === '_like' || f.op === '_ilike') value = f.value;
    else value = parseInput(f.value, type);
    return { [f.column]: { [f.op]: value } };
  });
  if (parts.length === 0) return {};
  return parts.length === 1 ? parts[0] : { _and: parts };
}

export function DataPage({ metadata, detail, navigate }) {
  const source = defaultSource(metadata);
  const [schema, setSchema] = useState(null);
  const load = useAction();
  useEffect(() => { load.run(async () => setSchema(await introspect())); }, [metadata]); // eslint-disable-line react-hooks/exhaustive-deps

  const tables = source.tables.map((entry) => ({ key: tableKey(entry.table), label: tableKey(entry.table), entry }));
  const selected = tables.find((t) => t.key === detail) || null;
  return (
    <ListAndDetail title={`Tables (${source.name})`} items={tables} selected={selected}
      onSelect={(key) => navigate('data', key)} empty="No tracked tables."
      hint="Pick a table to browse its rows." top={<ErrorBox error={load.error} />}>
      {schema && selected && (
        <TableBrowser key={selected.key} name={selected.key} info={describeTable(schema, selected.entry)} />
      )}
    </ListAndDetail>
  );
}

function TableBrowser({ name, info }) {
  const [filters, setFilters] = useState([{ column: '', op: '_eq', value: '' }]);
  const [applied, setApplied] = useState([]);
  const [order, setOrder] = useState(null);
  const [pageSize, setPageSize] = useState(20);
  const [offset, setOffset] = useState(0);
  const [rows, setRows] = useState([]);
  const [count, setCount] = useState(null);
  const [editing, setEditing] = useState(null); // {mode: 'insert'|'edit', row}
  const [notice, setNotice] = useState(null);
  const action = useAction();

  const fetchRows = useCallback(() => action.run(async () => {
    if (!info) return;
    const where = whereOf(applied, info.columns);
    const vars = [`$where: ${info.whereType}`, '$limit: Int', '$offset: Int'];
    if (info.orderType) vars.push(`$order: ${info.orderType}`);
    const cols = info.columns.map((c) => c.name).join(' ');
    const args = `where: $where, limit: $limit, offset: $offset${info.orderType ? ', order_by: $order' : ''}`;
    const agg = info.hasAggregate ? `total: ${info.roots.aggregate}(where: $where) { aggregate { count } }` : '';
    const query = `query ConsoleRows(${vars.join(', ')}) { rows: ${info.roots.select}(${args}) { ${cols} } ${agg} }`;
    const variables = { where, limit: pageSize, offset };
    if (info.orderType) variables.order = order ? [{ [order.column]: order.dir }] : [];
    const data = await graphql(query, variables);
    setRows(data.rows);
    setCount(data.total ? data.total.aggregate.count : null);
  }), [info, applied, order, pageSize, offset]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => { fetchRows(); }, [fetchRows]);

  if (!info) return <ErrorBox error={{ message: `${name} has no select root field in the admin schema` }} />;

  const sortBy = (column) => {
    setOffset(0);
    setOrder((current) => {
      if (!current || current.column !== column) return { column, dir: 'asc' };
      if (current.dir === 'asc') return { column, dir: 'desc' };
      return null;
    });
  };
  const pkOf = (row) => Object.fromEntries(info.primaryKey.map((k) => [k.name, row[k.name]]));
  const remove = (row) => action.run(async () => {
    if (!window.confirm(`Delete this row of ${name}?\n${JSON.stringify(pkOf(row))}`)) return;
    const vars = info.primaryKey.map((k) => `$${k.name}: ${k.type}`).join(', ');
    const args = info.primaryKey.map((k) => `${k.name}: $${k.name}`).join(', ');
    await graphql(`mutation ConsoleDelete(${vars}) { ${info.roots.deleteByPk}(${args}) { __typename } }`, pkOf(row));
    setNotice('Row deleted.');
    await fetchRows();
  });

  const last = count === null ? offset + rows.length : Math.min(count, offset + pageSize);
  return (
    <div className="browser">
      <div className="toolbar">
        <h2>{name}</h2>
        <span className="muted">{count === null ? `${rows.length} shown` : `${count} row${count === 1 ? '' : 's'}`}</span>
        <span className="spacer" />
        {info.insertType && (
          <button type="button" onClick={() => { setNotice(null); setEditing({ mode: 'insert', row: {} }); }}>
            Insert row
          </button>
        )}
        <button type="button" onClick={fetchRows} disabled={action.busy}>Refresh</button>
      </div>

      <form className="filters" onSubmit={(e) => { e.preventDefault(); setOffset(0); setApplied(filters); }}>
        {filters.map((f, i) => (
          <div className="filter" key={i}>
            <select aria-label="filter column" value={f.column}
              onChange={(e) => setFilters(filters.map((g, j) => (j === i ? { ...g, column: e.target.value } : g)))}>
              <option value="">— column —</option>
              {info.columns.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
            </select>
            <select aria-label="filter operator" value={f.op}
              onChange={(e) => setFilters(filters.map((g, j) => (j === i ? { ...g, op: e.target.value } : g)))}>
              {OPERATORS.map(([op, label]) => <option key={op} value={op}>{label}</option>)}
            </select>
            <input aria-label="filter value" value={f.value} placeholder={f.op === '_is_null' ? 'true / false' : 'value'}
              onChange={(e) => setFilters(filters.map((g, j) => (j === i ? { ...g, value: e.target.value } : g)))} />
            <button type="button" className="link" onClick={() => setFilters(filters.filter((_, j) => j !== i))}>remove</button>
          </div>
        ))}
        <button type="button" className="link" onClick={() => setFilters([...filters, { column: '', op: '_eq', value: '' }])}>
          + filter
        </button>
        <button type="submit">Apply filters</button>
        {applied.some((f) => f.column) && (
          <button type="button" className="link" onClick={() => { setFilters([{ column: '', op: '_eq', value: '' }]); setApplied([]); setOffset(0); }}>
            clear
          </button>
        )}
      </form>

      <ErrorBox error={action.error} onClose={() => action.setError(null)} />
      <Notice>{notice}</Notice>
      {editing && (
        <RowEditor
          info={info}
          editing={editing}
          pkOf={pkOf}
          onDone={(message) => { setEditing(null); setNotice(message); fetchRows(); }}
          onCancel={() => setEditing(null)}
        />
      )}

      <div className="table-wrap">
        <table className="grid" data-testid="rows">
          <thead>
            <tr>
              <th />
              {info.columns.map((c) => (
                <th key={c.name}>
                  <button type="button" className="sort" onClick={() => sortBy(c.name)} title={`sort by ${c.name}`}>
                    {c.name}
                    {order && order.column === c.name ? (order.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                  </button>
                  <div className="coltype">{c.type}</div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                <td className="row-actions">
                  {info.setType && info.primaryKey.length > 0 && (
                    <button type="button" className="link" onClick={() => { setNotice(null); setEditing({ mode: 'edit', row }); }}>edit</button>
                  )}
                  {info.canDelete && info.primaryKey.length > 0 && (
                    <button type="button" className="link danger" onClick={() => remove(row)}>delete</button>
                  )}
                </td>
                {info.columns.map((c) => (
                  <td key={c.name} className={row[c.name] === null ? 'null' : ''} title={showValue(row[c.name])}>
                    {showValue(row[c.name])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && !action.busy && <p className="muted">No rows match.</p>}
      </div>

      <div className="pager">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - pageSize))}>‹ Previous</button>
        <span>{rows.length ? `${offset + 1}–${last}` : '0'}{count !== null ? ` of ${count}` : ''}</span>
        <button type="button" disabled={count !== null ? offset + pageSize >= count : rows.length < pageSize}
          onClick={() => setOffset(offset + pageSize)}>Next ›</button>
        <label>
          rows per page{' '}
          <select value={pageSize} onChange={(e) => { setOffset(0); setPageSize(Number(e.target.value)); }}>
            {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
      </div>
    </div>
  );
}

/** The insert or edit form of one row; blank inputs are left out (the default applies). */
function RowEditor({ info, editing, pkOf, onDone, onCancel }) {
  const initial = useMemo(() => Object.fromEntries(info.columns.map((c) => {
    const v = editing.row[c.name];
    return [c.name, v === undefined ? '' : showValue(v)];
  })), [info, editing]);
  const [values, setValues] = useState(initial);
  const action = useAction();

  const save = (event) => {
    event.preventDefault();
    action.run(async () => {
      const changed = {};
      for (const c of info.columns) {
        if (values[c.name] === initial[c.name]) continue;
        if (editing.mode === 'insert' && values[c.name] === '') continue;
        changed[c.name] = parseInput(values[c.name], c.type);
      }
      if (editing.mode === 'insert') {
        await graphql(`mutation ConsoleInsert($object: ${info.insertType}) { ${info.roots.insertOne}(object: $object) { __typename } }`,
          { object: changed });
        onDone('Row inserted.');
      } else {
        if (Object.keys(changed).length === 0) { onCancel(); return; }
        await graphql(`mutation ConsoleUpdate($pk: ${info.pkColumnsType}, $set: ${info.setType}) { ${info.roots.updateByPk}(pk_columns: $pk, _set: $set) { __typename } }`,
          { pk: pkOf(editing.row), set: changed });
        onDone('Row updated.');
      }
    });
  };

  return (
    <form className="row-editor" onSubmit={save} data-testid="row-editor">
      <h3>{editing.mode === 'insert' ? 'Insert a row' : 'Edit row'}</h3>
      <p className="muted small">
        Type NULL for a null value{editing.mode === 'insert' ? '; leave blank for the column default' : ''}.
      </p>
      <div className="fields">
        {info.columns.map((c) => (
          <label key={c.name}>
            <span>{c.name} <span className="coltype">{c.type}{c.nullable ? '' : ' · not null'}</span></span>
            <input name={c.name} value={values[c.name]} onChange={(e) => setValues({ ...values, [c.name]: e.target.value })} />
          </label>
        ))}
      </div>
      <ErrorBox error={action.error} />
      <div className="buttons">
        <button type="submit" disabled={action.busy}>{editing.mode === 'insert' ? 'Insert' : 'Save'}</button>
        <button type="button" className="link" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
