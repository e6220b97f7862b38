/** One JSON POST for the HTTP-driven providers, bounded in time; failures become DnsProviderError. */
import { request } from 'undici';
import { DnsProviderError } from './errors.js';
import type { DnsProviderKind } from './port.js';

export type HttpAnswer = { status: number; text: string };

/** `headers` may carry credentials: they go on the wire only, never into an error. */
export async function postJson(
  provider: DnsProviderKind, url: string, body: unknown, timeoutMs: number, headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    return { status: response.statusCode, text: await response.body.text() };
  } catch (error) {
    const code = (error as { code?: unknown; name?: unknown }).code ?? (error as { name?: unknown }).name;
    const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'TimeoutError';
    throw new DnsProviderError(
      provider,
      timedOut ? 'timeout' : 'unreachable',
      timedOut ? `POST ${url}: no answer within ${timeoutMs} ms` : `POST ${url}: ${String(code ?? (error as Error).message)}`,
      { cause: error },
    );
  }
}
