// What the GraphQL schema says about tracked tables: root field names, columns, key, and
// the type names of the filter and sort arguments. Read by introspection, so custom names
// and root fields configured in metadata are followed.
import { graphql } from './api.js';

const INTROSPECTION = `query ConsoleIntrospection {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { kind name fields { name args { name type { ...T } } type { ...T } } }
  }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`;

/** The schema as ``headers`` see it (admin unless they name a role). */
export async function introspect(headers = {}) {
  const data = await graphql(INTROSPECTION, {}, headers);
  const s = data.__schema;
  const types = new Map(s.types.map((t) => [t.name, t]));
  return {
    types,
    query: types.get(s.queryType.name),
    mutation: s.mutationType ? types.get(s.mutationType.name) : null,
    subscription: s.subscriptionType ? types.get(s.subscriptionType.name) : null,
  };
}

/** ``[users_order_by!]`` and the like, as written in a variable definition. */
export function typeString(ref) {
  if (ref.kind === 'NON_NULL') return `${typeString(ref.ofType)}!`;
  if (ref.kind === 'LIST') return `[${typeString(ref.ofType)}]`;
  return ref.name;
}

export function namedType(ref) {
  let t = ref;
  while (t.ofType) t = t.ofType;
  return t;
}

/** ``{schema, name}`` of a metadata table entry (a bare name means ``public``). */
export function qualified(table) {
  return typeof table === 'string' ? { schema: 'public', name: table } : table;
}

export const tableKey = (table) => {
  const t = qualified(table);
  return t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
};

/** Root field names of a metadata table entry, as Hasura derives them. */
export function rootFieldNames(entry) {
  const t = qualified(entry.table);
  const config = entry.configuration || {};
  const custom = config.custom_root_fields || {};
  const base = config.custom_name || (t.schema === 'public' ? t.name : `${t.schema}_${t.name}`);
  const pick = (key, fallback) => {
    const value = custom[key];
    if (typeof value === 'string') return value;
    if (value && value.name) return value.name;
    return fallback;
  };
  return {
    select: pick('select', base),
    aggregate: pick('select_aggregate', `${base}_aggregate`),
    byPk: pick('select_by_pk', `${base}_by_pk`),
    insertOne: pick('insert_one', `insert_${base}_one`),
    updateByPk: pick('update_by_pk', `update_${base}_by_pk`),
    deleteByPk: pick('delete_by_pk', `delete_${base}_by_pk`),
  };
}

const field = (type, name) => (type && type.fields ? type.fields.find((f) => f.name === name) : undefined);

/**
 * Everything the Data page needs to read and write a table through /v1/graphql, or null
 * when the table has no select root field (not in the schema).
 */
export function describeTable(schema, entry) {
  const roots = rootFieldNames(entry);
  const select = field(schema.query, roots.select);
  if (!select) return null;
  const rowType = schema.types.get(namedType(select.type).name);
  const columns = rowType.fields
    .filter((f) => ['SCALAR', 'ENUM'].includes(namedType(f.type).kind) && f.args.length === 0)
    .map((f) => ({ name: f.name, type: namedType(f.type).name, nullable: f.type.kind !== 'NON_NULL' }));
  const argType = (f, name) => {
    const arg = f && f.args.find((a) => a.name === name);
    return arg ? typeString(arg.type) : null;
  };
  const byPk = field(schema.query, roots.byPk);
  const insertOne = field(schema.mutation, roots.insertOne);
  const updateByPk = field(schema.mutation, roots.updateByPk);
  return {
    roots,
    columns,
    primaryKey: byPk ? byPk.args.map((a) => ({ name: a.name, type: typeString(a.type) })) : [],
    whereType: argType(select, 'where'),
    orderType: argType(select, 'order_by'),
    hasAggregate: Boolean(field(schema.query, roots.aggregate)),
    insertType: argType(insertOne, 'object'),
    setType: argType(updateByPk, '_set'),
    pkColumnsType: argType(updateByPk, 'pk_columns'),
    canDelete: Boolean(field(schema.mutation, roots.deleteByPk)),
  };
}

/** Every ``Type.field`` of a schema (introspection types left out), for comparing roles. */
export function schemaFieldSet(schema) {
  const out = new Set();
  for (const [name, type] of schema.types) {
    if (name.startsWith('__') || !type.fields) continue;
    for (const f of type.fields) out.add(`${name}.${f.name}`);
  }
  return out;
}

/** The tables of the default source (or the first source), from exported metadata. */
export function defaultSource(metadata) {
  const sources = (metadata && metadata.sources) || [];
  return sources.find((s) => s.name === 'default') || sources[0] || { name: 'default', tables: [] };
}

/** A cell value as text: NULL, JSON for objects, the value otherwise. */
export function showValue(value) {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const NUMBER_TYPES = new Set(['Int', 'Float']);
const JSON_TYPES = new Set(['json', 'jsonb']);

/** A typed-in value as the JSON the column's GraphQL type accepts. */
export function parseInput(text, type) {
  if (text === 'NULL' || text === null) return null;
  if (NUMBER_TYPES.has(type)) {
    const n = Number(text);
    if (Number.isNaN(n)) throw new Error(`"${text}" is not a number`);
    return n;
  }
  if (type === 'Boolean') {
    if (!['true', 'false'].includes(text)) throw new Error(`"${text}" is not true or false`);
    return text === 'true';
  }
  if (JSON_TYPES.has(type)) {
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`"${text}" is not JSON`);
    }
  }
  return text;
}
