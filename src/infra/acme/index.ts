/** The ACME transport layer (RFC 8555 §6–7 plumbing); accounts and orders build on it. */
export * from './account-key.js';
export * from './directory.js';
export * from './errors.js';
export * from './exchange.js';
export * from './http.js';
export * from './inner-jws.js';
export * from './key-authorization.js';
export * from './links.js';
export * from './nonce-pool.js';
export * from './pem-chains.js';
export * from './problem.js';
export * from './retry-after.js';
export { sanitiseResponseBody } from './sanitise.js';
export * from './signer.js';
