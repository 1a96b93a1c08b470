// Calls to the engine that serves this page, as admin. The admin secret lives in this tab's
// sessionStorage only: the server never sends it, and it is gone when the tab closes.

const SECRET_KEY = 'engine-console-admin-secret';

export const adminSecret = {
  get: () => sessionStorage.getItem(SECRET_KEY),
  set: (value) => sessionStorage.setItem(SECRET_KEY, value),
  clear: () => sessionStorage.removeItem(SECRET_KEY),
};

/** An error answered by the engine, with Hasura's error code when it gave one. */
export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

const listeners = new Set();
/** Calls ``fn`` whenever the engine refuses the admin secret (so the page asks again). */
export function onSecretRefused(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function isSecretRefused(status, code, message) {
  return status === 401 || (code === 'access-denied' && /admin-secret/.test(message || ''));
}

/** Headers of an admin request, plus ``extra`` (which may set a role to act as). */
export function adminHeaders(extra = {}) {
  const headers = { 'content-type': 'application/json' };
  const secret = adminSecret.get();
  if (secret) headers['x-hasura-admin-secret'] = secret;
  return { ...headers, ...extra };
}

async function post(path, body, extraHeaders) {
  const response = await fetch(path, {
    method: 'POST',
    headers: adminHeaders(extraHeaders),
    body: JSON.stringify(body),
  });
  let payload;
  try {
    payload = await response.json();
  } catch {
    throw new ApiError(`${path} answered ${response.status} without JSON`, 'unexpected', response.status);
  }
  return { status: response.status, payload };
}

async function admin(path, type, args) {
  const { status, payload } = await post(path, { type, args });
  if (status >= 400 || (payload && payload.error)) {
    const error = new ApiError(payload.error || `HTTP ${status}`, payload.code, status);
    if (isSecretRefused(status, payload.code, payload.error)) listeners.forEach((fn) => fn(error));
    throw error;
  }
  return payload;
}

/** One ``/v1/metadata`` call. */
export const metadataApi = (type, args = {}) => admin('/v1/metadata', type, args);

/** One ``/v2/query`` call. */
export const queryApi = (type, args = {}) => admin('/v2/query', type, args);

/** Rows of a read-only SQL statement, as objects keyed by column name. */
export async function runSql(sql) {
  const result = await queryApi('run_sql', { sql, read_only: true });
  const [header, ...rows] = result.result || [[]];
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));
}

/**
 * One ``/v1/graphql`` request as admin (or as ``headers['x-hasura-role']``).
 * Resolves to ``data``; the first GraphQL error is thrown as an ApiError.
 */
export async function graphql(query, variables = {}, headers = {}) {
  const { status, payload } = await post('/v1/graphql', { query, variables }, headers);
  const first = payload.errors && payload.errors[0];
  if (first) {
    const code = first.extensions && first.extensions.code;
    const error = new ApiError(first.message, code, status);
    if (isSecretRefused(status, code, first.message)) listeners.forEach((fn) => fn(error));
    throw error;
  }
  if (status >= 400) throw new ApiError(payload.error || `HTTP ${status}`, payload.code, status);
  return payload.data;
}

/** Whether ``secret`` is accepted as the admin secret (a cheap admin-only call). */
export async function checkSecret(secret) {
  const headers = { 'content-type': 'application/json' };
  if (secret) headers['x-hasura-admin-secret'] = secret;
  const response = await fetch('/v1/metadata', {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'get_inconsistent_metadata', args: {} }),
  });
  if (response.ok) return { ok: true };
  let message = `HTTP ${response.status}`;
  try {
    message = (await response.json()).error || message;
  } catch { /* keep the status */ }
  return { ok: false, message };
}
