/**
 * The ACME transport: directory, nonces, signed POSTs (RFC 8555 §6), one record per HTTP
 * exchange for the event log. Knows nothing of accounts or orders.
 *
 * Retries:
 * - badNonce (§6.5): always, with the nonce from the error response, up to `maxBadNonceRetries`;
 *   the server refused the request before acting on it.
 * - Connection refused / DNS / connect timeout: always; nothing reached the server.
 * - 5xx, resets, timeouts: only for replay-safe kinds (request-policy.ts), with exponential
 *   backoff and jitter, or the server's Retry-After; one longer than `maxDelayMs` ends the retries.
 * - 429 / rateLimited (§6.6): never; thrown as `AcmeRateLimitedError` with `retryAfter`.
 */
import { Agent } from 'undici';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDirectory, type AcmeDirectory } from './directory.js';
import { AcmeTransportError } from './errors.js';
import type { AcmeExchangeRecord, AcmeRequestKind, OnExchange } from './exchange.js';
import { isFailure, sendOnce, type HttpExchange, type HttpMethod } from './http-exchange.js';
import type { AcmeLink } from './links.js';
import { createNoncePool, isValidNonce, type NoncePool } from './nonce-pool.js';
import { AcmeRateLimitedError, parseProblem } from './problem.js';
import type { RetryAfter } from './retry-after.js';
import { assertKeyIdentification, isReplaySafe } from './request-policy.js';
import { sanitiseResponseBody } from './sanitise.js';
import type { AcmePayload, AcmeSigner } from './signer.js';

export type AcmeTransportOptions = {
  directoryUrl: string;
  /** PEM bundle trusted for the server's TLS instead of the system roots (as `curl --cacert`). */
  ca?: string;
  /** §6.1: clients must send one. */
  userAgent: string;
  /** Awaited for every exchange, retries included; a throw aborts the call (never swallowed). */
  onExchange?: OnExchange;
  acceptLanguage?: string;
  /** Per exchange, connect to last body byte. */
  timeoutMs?: number;
  maxBadNonceRetries?: number;
  maxTransientRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  now?: () => Date;
};

export type AcmeResponse = {
  status: number;
  url: string;
  contentType: string | undefined;
  location: string | undefined;
  links: AcmeLink[];
  retryAfter: RetryAfter | undefined;
  /** Parsed JSON; the text for other media types (PEM chains); undefined when empty. */
  body: unknown;
  exchange: AcmeExchangeRecord;
};

export type AcmePostOptions = {
  kind: AcmeRequestKind;
  /** Overrides the table above, for a caller that knows better. */
  replaySafe?: boolean;
  accept?: string;
  signal?: AbortSignal;
};

export type AcmeTransport = {
  readonly directoryUrl: string;
  readonly nonces: NoncePool;
  /** Fetched once and cached; `refresh` fetches again (to notice changes). */
  directory(options?: { refresh?: boolean }): Promise<AcmeDirectory>;
  post(url: string, payload: AcmePayload, signer: AcmeSigner, options: AcmePostOptions): Promise<AcmeResponse>;
  /** An unauthenticated GET, as RFC 9773 §4.2 asks for renewalInfo; same retries and records as `post`. */
  get(url: string, options: { kind: AcmeRequestKind; accept?: string; signal?: AbortSignal }): Promise<AcmeResponse>;
  close(): Promise<void>;
};

type Call = {
  method: HttpMethod;
  url: string;
  kind: AcmeRequestKind;
  replaySafe: boolean;
  /** Built afresh for each attempt: a POST needs a new nonce every time. */
  body?: () => Promise<string>;
  accept?: string;
  signal?: AbortSignal;
};

export function createAcmeTransport(options: AcmeTransportOptions): AcmeTransport {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBadNonce = options.maxBadNonceRetries ?? 5;
  const maxTransient = options.maxTransientRetries ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const now = options.now ?? (() => new Date());
  const dispatcher = new Agent({
    connect: { timeout: Math.min(timeoutMs, 10_000), ...(options.ca === undefined ? {} : { ca: options.ca }) },
    keepAliveTimeout: 4_000,
  });

  const backoff = (retry: number) => Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1)) * (0.5 + Math.random() / 2);

  const record = async (call: Call, attempt: number, retrying: boolean, fields: Partial<AcmeExchangeRecord> & Pick<AcmeExchangeRecord, 'startedAt' | 'durationMs' | 'status'>) => {
    const exchange: AcmeExchangeRecord = { requestKind: call.kind, method: call.method, url: call.url, attempt, retrying, links: [], ...fields };
    await options.onExchange?.(exchange);
    return exchange;
  };

  const headersFor = (call: Call): Record<string, string> => {
    const headers: Record<string, string> = { 'user-agent': options.userAgent };
    if (call.body) headers['content-type'] = 'application/jose+json';
    if (call.accept) headers.accept = call.accept;
    if (options.acceptLanguage) headers['accept-language'] = options.acceptLanguage;
    return headers;
  };

  const responseFields = (result: HttpExchange): Partial<AcmeExchangeRecord> => {
    const fields: Partial<AcmeExchangeRecord> = { links: result.links };
    if (result.contentType !== undefined) fields.contentType = result.contentType;
    if (result.location !== undefined) fields.location = result.location;
    if (result.retryAfter !== undefined) fields.retryAfter = result.retryAfter;
    const body = sanitiseResponseBody(result.contentType, result.text, result.json);
    if (body !== undefined) fields.responseBody = body;
    return fields;
  };

  /** `nonce` is the response's Replay-Nonce, kept out of the pool for newNonce's own caller. */
  async function call(spec: Call): Promise<{ response: AcmeResponse; nonce: string | undefined }> {
    let badNonces = 0;
    let transients = 0;
    for (let attempt = 1; ; attempt += 1) {
      const body = spec.body ? await spec.body() : undefined;
      const result = await sendOnce({
        dispatcher, method: spec.method, url: spec.url, headers: headersFor(spec), body, timeoutMs, signal: spec.signal, now,
      });
      if (isFailure(result)) {
        const { error } = result;
        const retry = transients < maxTransient && (error.kind === 'connect' || (spec.replaySafe && ['timeout', 'network'].includes(error.kind)));
        const errorJson = { kind: error.kind, message: error.message, ...(error.code === undefined ? {} : { code: error.code }) };
        await record(spec, attempt, retry, { startedAt: result.startedAt, durationMs: result.durationMs, status: null, error: errorJson });
        if (!retry) throw error;
        transients += 1;
        await sleep(backoff(transients), undefined, { signal: spec.signal });
        continue;
      }
      if (spec.kind !== 'newNonce') nonces.offer(result.nonce);
      const base = { startedAt: result.startedAt, durationMs: result.durationMs, status: result.status, ...responseFields(result) };
      if (result.status < 400) {
        const exchange = await record(spec, attempt, false, base);
        const parsed = result.json ?? (result.text === '' ? undefined : result.text);
        const { status, contentType, location, links, retryAfter } = result;
        return { response: { status, url: spec.url, contentType, location, links, retryAfter, body: parsed, exchange }, nonce: result.nonce };
      }
      const problem = parseProblem(result.json, result.status, result.retryAfter);
      let delayMs = 0;
      let retry = false;
      if (problem.is('badNonce') && spec.body !== undefined && badNonces < maxBadNonce) {
        retry = true;
        badNonces += 1;
      } else if (result.status >= 500 && !(problem instanceof AcmeRateLimitedError) && spec.replaySafe && transients < maxTransient) {
        delayMs = result.retryAfter ? result.retryAfter.seconds * 1000 : backoff(transients + 1);
        retry = delayMs <= maxDelayMs;
        if (retry) transients += 1;
      }
      await record(spec, attempt, retry, { ...base, problem: problem.toJSON() });
      if (!retry) throw problem;
      if (delayMs > 0) await sleep(delayMs, undefined, { signal: spec.signal });
    }
  }

  let cachedDirectory: Promise<AcmeDirectory> | undefined;
  const fetchDirectory = async () => {
    const { response } = await call({ method: 'GET', url: options.directoryUrl, kind: 'directory', replaySafe: true, accept: 'application/json' });
    return parseDirectory(response.body, options.directoryUrl);
  };
  const directory = (opts: { refresh?: boolean } = {}) => {
    if (!cachedDirectory || opts.refresh) {
      const pending = fetchDirectory();
      cachedDirectory = pending;
      // A failed fetch is not cached: the next call tries again.
      pending.catch(() => { if (cachedDirectory === pending) cachedDirectory = undefined; });
    }
    return cachedDirectory;
  };

  // §7.2: HEAD newNonce answers 200 with a Replay-Nonce.
  const nonces = createNoncePool(async () => {
    const { newNonce } = await directory();
    const { response, nonce } = await call({ method: 'HEAD', url: newNonce, kind: 'newNonce', replaySafe: true });
    if (nonce === undefined || !isValidNonce(nonce)) throw new AcmeTransportError('protocol', 'HEAD', newNonce, `HTTP ${response.status} without a usable Replay-Nonce`);
    return nonce;
  });

  return {
    directoryUrl: options.directoryUrl,
    nonces,
    directory,
    async post(url, payload, signer, postOptions) {
      assertKeyIdentification(postOptions.kind, signer);
      const { response } = await call({
        method: 'POST',
        url,
        kind: postOptions.kind,
        replaySafe: postOptions.replaySafe ?? isReplaySafe(postOptions.kind, payload),
        body: async () => JSON.stringify(await signer.signRequest({ url, nonce: await nonces.take(), payload })),
        accept: postOptions.accept ?? (postOptions.kind === 'getCertificate' ? 'application/pem-certificate-chain' : undefined),
        signal: postOptions.signal,
      });
      return response;
    },
    async get(url, getOptions) {
      const { response } = await call({ method: 'GET', url, kind: getOptions.kind, replaySafe: true, accept: getOptions.accept, signal: getOptions.signal });
      return response;
    },
    close: () => dispatcher.close(),
  };
}
