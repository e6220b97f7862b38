import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { normaliseDomainName } from '../infra/x509/domain-names.js';
import type { AppDeps } from './app-deps.js';
import { isId } from './queries/certificates.js';
import { idOnlyPayload, type CertificatePayload } from './queries/config-payload.js';
import { primeDomainPayload } from './redis-write-through.js';
import type { Fragment } from './served-index/fragments.js';
import type { DomainEntry, ServedCertificate, ServedIndex } from './served-index/served-index.js';

export type FastLookup = RequestListener & { counts: { fast: number; passed: number } };

type Ask = { key: string; idOnly: boolean; openresty: boolean };

const SLAB_BYTES = 1024 * 1024;

/**
 * Answer bodies carved from 1 MiB slabs, as Buffer's own pool does below 4 KiB: an 8 KiB body
 * of its own cost more in allocation than its copy. A slab is freed once its last body is.
 */
function createSlab(): { take: (bytes: number) => Buffer } {
  let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  let used = 0;
  return {
    take(bytes) {
      if (bytes > SLAB_BYTES) return Buffer.allocUnsafe(bytes);
      if (used + bytes > SLAB_BYTES) {
        slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
        used = 0;
      }
      const body = slab.subarray(used, used + bytes);
      used += (bytes + 7) & ~7;
      return body;
    },
  };
}

/** Some JSON as Buffers that, joined, are `length` bytes. */
type Part = { readonly pieces: readonly Buffer[]; readonly length: number };

/** The pieces as they are now: an eviction during the Redis write-through must not empty the answer. */
const piecesOf = (fragment: Fragment | null): Part | null => (fragment?.pieces ? { pieces: fragment.pieces, length: fragment.length } : null);

const SUFFIX = '/config.json';
const fixed = (text: string): Part => ({ pieces: [Buffer.from(text)], length: Buffer.byteLength(text) });
const NULL = fixed('null');
const MULTI = fixed(',"certificate_signed__latest_multi":');
const ALIAS_SINGLE = fixed(',"x509_certificate__latest_single":');
const ALIAS_MULTI = fixed(',"x509_certificate__latest_multi":');
const END = fixed('}');
const FIXED_LENGTH = MULTI.length + ALIAS_SINGLE.length + ALIAS_MULTI.length + END.length;
const flag = (value: string): boolean => value === '1' || value === 'true';

/**
 * Only the plain spelling nginx sends: anything percent-encoded, repeated or unknown in the
 * query goes to Express, which decodes and validates it as it always did.
 */
function parse(url: string, route: string): Ask | undefined {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!path.startsWith(route) || !path.endsWith(SUFFIX)) return undefined;
  const key = path.slice(route.length, path.length - SUFFIX.length);
  if (key === '' || key.includes('/') || key.includes('%')) return undefined;
  const ask: Ask = { key, idOnly: false, openresty: false };
  if (q < 0) return ask;
  const seen = new Set<string>();
  for (const part of url.slice(q + 1).split('&')) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if ((name !== 'idonly' && name !== 'openresty') || seen.has(name) || /[%+]/.test(value)) return undefined;
    seen.add(name);
    if (name === 'idonly') ask.idOnly = flag(value);
    else ask.openresty = flag(value);
  }
  return ask;
}

/**
 * The route's own lookup rule: an id as given (lower-cased), else the normalised name; a stored
 * name is its own normal form. null: no such domain (the index is current); undefined: ask Express.
 */
function find(index: ServedIndex, key: string): DomainEntry | null | undefined {
  if (isId(key)) return index.domain(key.toLowerCase(), true);
  const exact = index.domain(key, false);
  if (exact !== null) return exact;
  let normal: string;
  try {
    normal = normaliseDomainName(key);
  } catch {
    return undefined; // Express answers the 400
  }
  return normal === key ? null : index.domain(normal, false);
}

/** The route's 404, byte for byte: an unknown SNI name costs no database read. */
const NOT_FOUND = Buffer.from(JSON.stringify({ result: 'error', code: 'not_found', message: 'Domain not found' }));

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * GET {prefix}/domain/{name|id}/config.json answered from the served index, in front of the
 * Express app: the same bytes and headers as the route, ~1/10 of its CPU. Whatever it cannot
 * answer plainly — other routes, a failed token, an unknown or stale domain, a key not live in
 * memory, an error — goes to Express unchanged.
 */
export function createFastLookup(deps: AppDeps, index: ServedIndex, express: RequestListener): FastLookup {
  const route = `${deps.adminPrefix}/domain/`;
  const expected = deps.adminToken ? digest(deps.adminToken) : undefined;
  const counts = { fast: 0, passed: 0 };
  const bodies = createSlab();

  const authorised = (req: IncomingMessage): boolean => {
    if (!expected) return true;
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  };

  const pass = (req: IncomingMessage, res: ServerResponse): void => {
    counts.passed += 1;
    void express(req, res);
  };

  const part = (certificate: ServedCertificate | null, idOnly: boolean): Part | Promise<Part | null> | null => {
    if (!certificate) return NULL;
    if (idOnly) {
      const chain = certificate.chainId === '' ? null : { id: certificate.chainId, pem: '' };
      const json = Buffer.from(JSON.stringify(idOnlyPayload({ id: certificate.id, privateKeyId: certificate.key.id, chain })));
      return { pieces: [json], length: json.length };
    }
    // A key not live (shredded, missing) is the database path's to refuse.
    if (!certificate.key.live) return null;
    const found = index.fragment(certificate);
    return found instanceof Promise ? found.then(piecesOf) : piecesOf(found);
  };

  const answer = async (res: ServerResponse, entry: DomainEntry, ask: Ask, single: Part, multi: Part): Promise<void> => {
    if (ask.openresty && deps.redis) {
      const parsed = (p: Part) => (p === NULL ? null : (JSON.parse(Buffer.concat(p.pieces as Buffer[]).toString()) as CertificatePayload));
      await primeDomainPayload(deps, {
        domain: { id: entry.id, domain_name: entry.name, is_active: entry.active },
        certificate_signed__latest_single: parsed(single),
        certificate_signed__latest_multi: parsed(multi),
      });
    }
    // Key order as the route's res.json({ result, ...payload, ...aliases }).
    const head = `{"result":"success","domain":${JSON.stringify({ id: entry.id, domain_name: entry.name, is_active: entry.active })},"certificate_signed__latest_single":`;
    const body = bodies.take(Buffer.byteLength(head) + 2 * (single.length + multi.length) + FIXED_LENGTH);
    let at = body.write(head);
    for (const piece of [single, MULTI, multi, ALIAS_SINGLE, single, ALIAS_MULTI, multi, END]) {
      for (const chunk of piece.pieces) {
        body.set(chunk, at);
        at += chunk.length;
      }
    }
    res.writeHead(200, { 'X-Peter-SSLers': 'admin', 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
    counts.fast += 1;
  };

  const failed = (req: IncomingMessage, res: ServerResponse, entry: DomainEntry) => (error: unknown) => {
    deps.logger.warn('config.json fast path failed', { domain: entry.name, error: (error as Error).message });
    if (!res.headersSent) pass(req, res);
  };

  const serve = (req: IncomingMessage, res: ServerResponse, ask: Ask): void => {
    const entry = find(index, ask.key);
    if (entry === null) {
      res.writeHead(404, { 'X-Peter-SSLers': 'admin', 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': NOT_FOUND.length });
      res.end(NOT_FOUND);
      counts.fast += 1;
      return;
    }
    if (!entry) return pass(req, res);
    // The recents stay recorded while a domain is inactive; they are only not handed out.
    const single = part(entry.active ? entry.single : null, ask.idOnly);
    const multi = part(entry.active ? entry.multi : null, ask.idOnly);
    if (single === null || multi === null) return pass(req, res);
    if (!(single instanceof Promise) && !(multi instanceof Promise)) {
      answer(res, entry, ask, single, multi).catch(failed(req, res, entry));
      return;
    }
    Promise.all([single, multi])
      .then(([s, m]) => (s && m ? answer(res, entry, ask, s, m) : pass(req, res)))
      .catch(failed(req, res, entry));
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const ask = req.method === 'GET' && req.url ? parse(req.url, route) : undefined;
    if (!ask || !authorised(req)) return pass(req, res);
    serve(req, res, ask);
  };
  return Object.assign(listener, { counts });
}

