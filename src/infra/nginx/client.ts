import { Agent, request } from 'undici';
import type { NginxCacheClient, NginxDomainResult, NginxFanOut, NginxServerResult } from './port.js';

export type NginxClientOptions = {
  /** Base URLs, without credentials and without a trailing slash. */
  servers: readonly string[];
  userpass?: { user: string; password: string };
  /** `/all` and `/domain/{name}` are appended (peter_sslers' nginx.reset_path). */
  expirePath: string;
  statusPath: string;
  /** For each request, from connect to the last byte of the body. */
  timeoutMs: number;
  /** Trusted roots for https servers (replaces the system store, as peter_sslers' ca_bundle_pem does). */
  caBundlePem?: string;
  /** expireDomains: requests in flight per server. */
  concurrency?: number;
};

type Answer = { ok: boolean; status?: number; body?: unknown; error?: string; elapsedMs: number };

/** Bodies kept for the answer (status documents are small; an HTML error page is not worth more). */
const MAX_BODY_CHARS = 16_384;

function describe(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timeout after ${timeoutMs} ms`;
  if (!(error instanceof Error)) return String(error);
  // undici wraps socket and TLS errors: the cause names what went wrong (ECONNREFUSED, a certificate problem).
  const inner = error.cause instanceof Error ? error.cause : error;
  const code = (inner as NodeJS.ErrnoException).code;
  return code && !inner.message.includes(code) ? `${code}: ${inner.message}` : inner.message;
}

/** peter_sslers' rule: HTTP 200 with a JSON body whose `result` is "success". */
function judge(status: number, text: string): Pick<Answer, 'ok' | 'body' | 'error'> {
  let body: unknown = text.length > MAX_BODY_CHARS ? text.slice(0, MAX_BODY_CHARS) : text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON: kept as text
  }
  if (status !== 200) return { ok: false, body, error: `HTTP ${status}` };
  const result = typeof body === 'object' && body !== null ? (body as { result?: unknown }).result : undefined;
  if (result !== 'success') return { ok: false, body, error: typeof body === 'string' ? 'answer is not JSON' : `result is ${JSON.stringify(result ?? null)}` };
  return { ok: true, body };
}

/** A pool of workers over `items`, `limit` at a time, results in input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function fanOut(servers: NginxServerResult[]): NginxFanOut {
  return { success: servers.filter((s) => s.ok).map((s) => s.server), errors: servers.filter((s) => !s.ok).map((s) => s.server), servers };
}

/**
 * peter_sslers' nginx client over undici: every server in parallel, each answer judged on its own,
 * never a throw for a server's failure (the caller records every outcome). The Authorization
 * header is the only place the credentials go: not the URL, not an error, not a log line.
 */
export function createNginxCacheClient(options: NginxClientOptions): NginxCacheClient {
  const { timeoutMs } = options;
  const agent = new Agent({
    connect: { timeout: timeoutMs, ...(options.caBundlePem ? { ca: options.caBundlePem } : {}) },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.userpass) {
    headers.authorization = `Basic ${Buffer.from(`${options.userpass.user}:${options.userpass.password}`).toString('base64')}`;
  }
  const concurrency = options.concurrency ?? 8;

  const get = async (url: string): Promise<Answer> => {
    const started = performance.now();
    const signal = AbortSignal.timeout(timeoutMs);
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const res = await request(url, { method: 'GET', headers, dispatcher: agent, signal });
      const text = await res.body.text();
      return { ...judge(res.statusCode, text), status: res.statusCode, elapsedMs: elapsed() };
    } catch (error) {
      return { ok: false, error: describe(error, signal.aborted, timeoutMs), elapsedMs: elapsed() };
    }
  };

  const eachServer = async (ask: (server: string) => Promise<NginxServerResult>): Promise<NginxFanOut> =>
    fanOut(await Promise.all(options.servers.map(ask)));

  const one = (path: string) => eachServer(async (server) => ({ server, ...(await get(server + path)) }));

  return {
    servers: options.servers,
    expireAll: () => one(`${options.expirePath}/all`),
    status: () => one(options.statusPath),
    expireDomains: (domainNames) => eachServer(async (server) => {
      const started = performance.now();
      const names = [...new Set(domainNames)];
      // No answer at all (refused, timeout, TLS): the rest would fail the same way, one timeout each.
      let unreachable: string | undefined;
      const domains: NginxDomainResult[] = await mapLimited(names, concurrency, async (domainName) => {
        if (unreachable) return { domainName, ok: false, error: `not sent: ${unreachable}` };
        const { elapsedMs: _elapsed, ...answer } = await get(`${server}${options.expirePath}/domain/${encodeURIComponent(domainName)}`);
        if (answer.status === undefined) unreachable ??= answer.error;
        return { domainName, ...answer };
      });
      const failed = domains.filter((d) => !d.ok);
      const shown = failed[0] ?? domains[0];
      // The first ten failures name the problem; the rest are in `domains`.
      const listed = failed.slice(0, 10).map((d) => `${d.domainName} (${d.error ?? 'error'})`).join(', ');
      return {
        server,
        ok: failed.length === 0,
        ...(shown?.status === undefined ? {} : { status: shown.status }),
        ...(failed.length > 0 ? { error: `${failed.length} of ${domains.length} failed: ${listed}${failed.length > 10 ? ', …' : ''}` } : {}),
        elapsedMs: Math.round(performance.now() - started),
        domains,
      };
    }),
    close: () => agent.close(),
  };
}
