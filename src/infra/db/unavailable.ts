/**
 * Errors that mean "PostgreSQL could not be reached", told apart from other peers' connection
 * errors (an ACME server, a DNS provider, nginx) that carry the same socket codes.
 */
const fromPool = new WeakSet<object>();

/** Marks what pool.connect() threw: only the database pool's connects go through here. */
export function markPoolConnectError(error: unknown): unknown {
  if (typeof error === 'object' && error !== null) fromPool.add(error);
  return error;
}

/** The database went away under a request: its pool could not connect, the server cut the connection, or it is shutting down (SQLSTATE 08xxx, 57P01–57P03). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (fromPool.has(error)) return true;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-3]$/.test(code))) return true;
  return /^(Connection terminated( unexpectedly)?|Client has encountered a connection error and is not queryable)/.test(String(message ?? ''));
}
