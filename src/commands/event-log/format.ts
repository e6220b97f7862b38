import type { ExportKdf } from '../../infra/key-vault/export-seal.js';

/**
 * The export file: JSON lines. Line 1 is the header; then every key-vault entry (`kind: "key"`),
 * then every event in global order (`kind: "event"`). Keys come first so an import can check them
 * all before it writes anything.
 */
export const EXPORT_FORMAT = 'certledger-event-log';
export const EXPORT_VERSION = 1;

export type ExportHeader = {
  format: typeof EXPORT_FORMAT;
  version: number;
  exportedAt: string;
  /** The last global position exported (the store's head when the export started). */
  head: string;
  counts: { events: number; keys: number; shreddedKeys: number };
  keys: ExportKdf & { cipher: 'aes-256-gcm' };
};

/** A live key: `sealed` under the passphrase. A shredded one: no `sealed`, it stays shredded. */
export type KeyLine = { kind: 'key'; privateKeyId: string; createdAt: string; shreddedAt: string | null; sealed?: string };

export type EventLine = {
  kind: 'event';
  position: string;
  id: string;
  stream: string;
  revision: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
};

export const PAGE = 500;
