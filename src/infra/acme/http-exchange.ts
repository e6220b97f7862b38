/**
 * One HTTP request to an ACME server and what RFC 8555 cares about in its response:
 * Replay-Nonce (§6.5), Location, Link (§7.1), Retry-After (§6.6), the body by media type.
 * No retries here: http.ts decides those.
 */
import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';
import { classifyFailure, AcmeTransportError } from './errors.js';
import { parseLinkHeader, type AcmeLink } from './links.js';
import { parseRetryAfter, type RetryAfter } from './retry-after.js';
import { isJsonContentType } from './sanitise.js';

/** ACME bodies are small (a chain is a few KiB); more is a misbehaving server. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type HttpMethod = 'GET' | 'HEAD' | 'POST';

export type HttpExchange = {
  status: number;
  startedAt: string;
  durationMs: number;
  contentType: string | undefined;
  location: string | undefined;
  links: AcmeLink[];
  retryAfter: RetryAfter | undefined;
  nonce: string | undefined;
  text: string;
  /** The parsed body when the media type is JSON and the body is not empty. */
  json: unknown;
};

export type ExchangeFailure = { error: AcmeTransportError; startedAt: string; durationMs: number };

export type SendOptions = {
  dispatcher: Dispatcher;
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  now: () => Date;
};

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

async function readText(body: AsyncIterable<Buffer>, destroy: () => void, at: { method: string; url: string }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      destroy();
      throw new AcmeTransportError('protocol', at.method, at.url, `response body over ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function resolveUrl(value: string | undefined, base: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    return new URL(value, base).href;
  } catch {
    return value; // kept as sent: the caller's checks will reject it with context
  }
}

export async function sendOnce(options: SendOptions): Promise<HttpExchange | ExchangeFailure> {
  const { method, url } = options;
  const startedAt = options.now();
  const t0 = performance.now();
  const elapsed = () => Math.round((performance.now() - t0) * 10) / 10;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let status: number;
  let headers: Record<string, string | string[] | undefined>;
  let text: string;
  try {
    const response = await request(url, {
      method,
      headers: options.headers,
      body: options.body,
      dispatcher: options.dispatcher,
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    status = response.statusCode;
    headers = response.headers;
    text = method === 'HEAD' ? (await response.body.dump(), '') : await readText(response.body, () => response.body.destroy(), options);
  } catch (error) {
    const failure = error instanceof AcmeTransportError
      ? error
      : classifyFailure(error, { method, url, timedOut: timeout.aborted, aborted: options.signal?.aborted ?? false });
    return { error: failure, startedAt: startedAt.toISOString(), durationMs: elapsed() };
  }
  const contentType = single(headers['content-type']);
  let json: unknown;
  if (text !== '' && isJsonContentType(contentType)) {
    try {
      json = JSON.parse(text);
    } catch (error) {
      const failure = new AcmeTransportError('protocol', method, url, `HTTP ${status} body is not the JSON its ${contentType} says`, undefined, { cause: error });
      return { error: failure, startedAt: startedAt.toISOString(), durationMs: elapsed() };
    }
  }
  const location = resolveUrl(single(headers.location), url);
  return {
    status,
    startedAt: startedAt.toISOString(),
    durationMs: elapsed(),
    contentType,
    location,
    links: parseLinkHeader(headers.link, url),
    retryAfter: parseRetryAfter(single(headers['retry-after']), options.now()),
    nonce: single(headers['replay-nonce']),
    text,
    json,
  };
}

export const isFailure = (result: HttpExchange | ExchangeFailure): result is ExchangeFailure => 'error' in result;
