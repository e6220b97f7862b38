import { accountHandlers } from './acme/accounts.handlers.js';
import type { AcmeHandlers } from './acme/handler.js';
import { orderHandlers } from './acme/orders.handlers.js';
import type { Projection } from './projection.js';

const handlers: AcmeHandlers = { ...accountHandlers, ...orderHandlers };

/** The ACME read models: servers, accounts, orders, authorizations, challenges. */
export const acmeProjection: Projection = {
  name: 'acme',
  version: 1,
  eventTypes: Object.keys(handlers),
  // Filled in by the migrations that create them (0004, 0005).
  tables: ['acme_servers', 'acme_accounts', 'acme_orders', 'acme_authorizations', 'acme_order_authorizations', 'acme_challenges', 'acme_rate_limits'],
  async apply(trx, event) {
    await handlers[event.type]?.(trx, event);
  },
};
