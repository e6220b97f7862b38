import type { AcmeHandlers } from './handler.js';

/** ACME orders, authorizations and challenges (the token → key authorization the public app serves). */
export const orderHandlers: AcmeHandlers = {};
