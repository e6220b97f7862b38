import type { CatalogHandlers } from './catalog/handler.js';
import type { Projection } from './projection.js';
import { ariHandlers } from './renewal/ari.handlers.js';
import { configurationHandlers } from './renewal/configurations.handlers.js';

// R2 (ARI) and R3 (autocert, domain queue) spread their handler files in here.
const handlers: CatalogHandlers = { ...configurationHandlers, ...ariHandlers };

/** Renewal read models: configurations, system policies, certificate lineage, the renewal queue. */
export const renewalProjection: Projection = {
  name: 'renewal',
  version: 1,
  eventTypes: Object.keys(handlers),
  // Created by migration 0006; R2/R3 append the tables of their migrations.
  tables: ['renewal_configurations', 'system_policies', 'certificate_lineage', 'renewal_queue', 'ari_renewal_info'],
  async apply(trx, event) {
    await handlers[event.type]?.(trx, event);
  },
};
