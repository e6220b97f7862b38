import type { Event } from '../shared/event.js';

export type CaChainImported = Event<'CaChainImported', {
  caChainId: string;
  /** Issuer of the leaf first, then upwards. */
  caCertificateIds: string[];
  importedAt: string;
}>;

export type CaChainEvent = CaChainImported;
