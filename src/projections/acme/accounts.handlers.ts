import type { AcmeHandlers } from './handler.js';

/** ACME servers and accounts. */
export const accountHandlers: AcmeHandlers = {};
