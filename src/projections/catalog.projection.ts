import { applyCatalogBatch } from './catalog/batch.js';
import { caCertificateHandlers } from './catalog/ca-certificates.handlers.js';
import { certificateHandlers } from './catalog/certificates.handlers.js';
import { chainPreferenceHandlers } from './catalog/chain-preference.handlers.js';
import type { CatalogHandlers } from './catalog/handler.js';
import { lifecycleHandlers } from './catalog/lifecycle.handlers.js';
import { privateKeyHandlers } from './catalog/private-keys.handlers.js';
import type { Projection } from './projection.js';
import { updateAllRecents } from './recents.js';

const handlers: CatalogHandlers = {
  ...privateKeyHandlers,
  ...caCertificateHandlers,
  ...certificateHandlers,
  ...chainPreferenceHandlers,
  ...lifecycleHandlers,
};

/**
 * The whole catalog (keys, CA certificates and chains, certificates, name sets, domains and their
 * recents) is one projection: its tables read each other (a chain its certificates, a recent its
 * certificates' validity), and one runner means one order, so no row is ever read before it exists.
 * Each concern keeps its own handler file.
 */
export const catalogProjection: Projection = {
  name: 'catalog',
  version: 2,
  eventTypes: Object.keys(handlers),
  tables: [
    'private_keys', 'ca_certificates', 'ca_chains', 'certificates', 'certificate_chains',
    'unique_fqdn_sets', 'unique_fqdn_set_domains', 'domains', 'chain_preferences',
  ],
  // Lookups of the API; the handlers find certificates by id and by name set only.
  deferredIndexes: ['certificates_not_after_idx', 'certificates_private_key_idx', 'certificates_spki_idx', 'certificates_serial_idx'],
  async apply(trx, event) {
    await handlers[event.type]?.(trx, event);
  },
  applyBatch: (trx, events) => applyCatalogBatch(trx, events, (type) => handlers[type]),
  // Recomputing the recents of ~600 domains per batch cost more than any insert of a replay.
  replay: {
    applyBatch: (trx, events) => applyCatalogBatch(trx, events, (type) => handlers[type], { recents: false }),
    finish: async (trx) => {
      await updateAllRecents(trx);
    },
  },
};
