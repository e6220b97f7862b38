import { errors as undiciErrors, request } from 'undici';
import { AiaFetchError, type IssuerFetcher } from './port.js';

export type IssuerFetcherOptions = {
  /** Per request: connect, headers and body each (undici's own timeouts) and the whole exchange. */
  timeoutMs?: number;
  /** A CA certificate is 1-2 KiB and a PKCS#7 bundle a few; anything far larger is not one. */
  maxBytes?: number;
  maxRedirects?: number;
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * HTTP(S) GET with timeouts, a size limit and a few redirects. CAs publish issuers over plain HTTP
 * on purpose (RFC 5280 §4.2.2.1: no TLS needed to fetch what TLS validation needs); the
 * signature check after the download is what makes the result trustworthy, not the transport.
 */
export function createIssuerFetcher(options: IssuerFetcherOptions = {}): IssuerFetcher {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 256 * 1024;
  const maxRedirects = options.maxRedirects ?? 3;

  return async (url) => {
    let target = parseUrl(url);
    for (let hop = 0; ; hop++) {
      const response = await send(target, timeoutMs);
      const location = response.headers.location;
      if (REDIRECTS.has(response.statusCode) && typeof location === 'string') {
        await response.body.dump();
        if (hop >= maxRedirects) throw new AiaFetchError(`more than ${maxRedirects} redirects`);
        target = parseUrl(new URL(location, target).toString());
        continue;
      }
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new AiaFetchError(`HTTP ${response.statusCode}`);
      }
      return readLimited(response.body, maxBytes);
    }
  };
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new AiaFetchError('not a valid URL', { cause: error });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AiaFetchError(`${parsed.protocol.slice(0, -1)} URLs are not fetched (only http and https)`);
  }
  return parsed;
}

async function send(url: URL, timeoutMs: number) {
  try {
    return await request(url, {
      method: 'GET',
      headers: { accept: 'application/pkix-cert, application/pkcs7-mime, application/x-x509-ca-cert, */*;q=0.5' },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new AiaFetchError(describe(error), { cause: error });
  }
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy: (error?: Error) => unknown }, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      if (size > maxBytes) {
        body.destroy();
        throw new AiaFetchError(`larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof AiaFetchError) throw error;
    throw new AiaFetchError(describe(error), { cause: error });
  }
  return Buffer.concat(chunks);
}

function describe(error: unknown): string {
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) return 'timed out';
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | undefined);
  const reason = code?.code ?? code?.cause?.code;
  return typeof reason === 'string' ? `connection failed (${reason})` : 'download failed';
}
