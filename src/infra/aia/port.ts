/** Downloads the body behind an AIA "CA Issuers" URI (RFC 5280 §4.2.2.1). */
export type IssuerFetcher = (url: string) => Promise<Buffer>;

/** A download that failed; the message is safe to show (status, timeout, size), never a body. */
export class AiaFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AiaFetchError';
  }
}
