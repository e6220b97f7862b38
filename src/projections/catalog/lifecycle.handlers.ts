import type { CatalogHandlers } from './handler.js';

/** Lifecycle marks of certificates, domains and private keys. */
export const lifecycleHandlers: CatalogHandlers = {};
