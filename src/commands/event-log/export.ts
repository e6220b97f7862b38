import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { countVaultEntries, listVaultEntries } from '../../infra/key-vault/entries.js';
import { createExportSealer } from '../../infra/key-vault/export-seal.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import { EXPORT_FORMAT, EXPORT_VERSION, PAGE, type EventLine, type ExportHeader, type KeyLine } from './format.js';

export type EventLogDeps = { store: EventStore; db: Kysely<Database>; vault: KeyVault };

export type ExportResult = { file: string; head: string; events: number; keys: number; shreddedKeys: number; gzip: boolean; elapsedMs: number; eventsPerSecond: number };

/** Refused before a byte is written: the file exists, or a key cannot be read under this master key. */
export class ExportError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'ExportError';
  }
}

/**
 * The whole event log up to the head at the start, streamed a page at a time (constant memory;
 * the write stream's backpressure paces the reads). Gzip when the name ends in `.gz`. The file is
 * created with mode 0600 and removed again when the export fails.
 */
export async function exportEventLog(
  deps: EventLogDeps,
  options: { file: string; passphrase: string; onProgress?: (done: number, total: number) => void },
): Promise<ExportResult> {
  const started = performance.now();
  const head = await deps.store.headPosition();
  const total = await countEvents(deps, head);
  const vaultCounts = await countVaultEntries(deps.db);
  const sealer = await createExportSealer(options.passphrase);
  const gzip = options.file.endsWith('.gz');
  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date().toISOString(),
    head: head.toString(),
    counts: { events: total, keys: vaultCounts.keys, shreddedKeys: vaultCounts.shredded },
    keys: { ...sealer.kdf, cipher: 'aes-256-gcm' },
  };
  let events = 0;

  async function* lines(): AsyncGenerator<string> {
    yield `${JSON.stringify(header)}\n`;
    let afterId: string | undefined;
    for (;;) {
      const entries = await listVaultEntries(deps.db, afterId, PAGE);
      if (entries.length === 0) break;
      afterId = entries.at(-1)!.privateKeyId;
      const live = entries.filter((e) => e.shreddedAt === null).map((e) => e.privateKeyId);
      const keys = await deps.vault.getMany(live);
      let chunk = '';
      for (const entry of entries) {
        const line: KeyLine = { kind: 'key', privateKeyId: entry.privateKeyId, createdAt: entry.createdAt.toISOString(), shreddedAt: entry.shreddedAt?.toISOString() ?? null };
        if (entry.shreddedAt === null) {
          const der = keys.get(entry.privateKeyId);
          if (!der) throw new ExportError(`private key ${entry.privateKeyId} cannot be read under the configured master key (stored under ${entry.masterKeyId})`);
          line.sealed = sealer.seal(entry.privateKeyId, der);
          der.fill(0);
        }
        chunk += `${JSON.stringify(line)}\n`;
      }
      yield chunk;
    }
    let after = 0n;
    while (after < head) {
      const page = await deps.store.readAll({ after, maxCount: PAGE });
      if (page.length === 0) break;
      let chunk = '';
      for (const event of page) {
        if (event.position > head) break;
        const line: EventLine = {
          kind: 'event', position: event.position.toString(), id: event.id, stream: event.streamName, revision: event.revision.toString(),
          type: event.type, createdAt: event.createdAt, data: event.data, metadata: event.metadata,
        };
        chunk += `${JSON.stringify(line)}\n`;
        events += 1;
      }
      after = page.at(-1)!.position;
      options.onProgress?.(events, total);
      yield chunk;
    }
  }

  try {
    const out = createWriteStream(options.file, { flags: 'wx', mode: 0o600 });
    await (gzip ? pipeline(Readable.from(lines()), createGzip(), out) : pipeline(Readable.from(lines()), out));
  } catch (error) {
    const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
    if (!exists) await unlink(options.file).catch(() => undefined);
    if (exists) throw new ExportError(`${options.file} exists: choose a new file name`, { cause: error });
    throw error;
  } finally {
    sealer.destroy();
  }
  const elapsedMs = Math.round(performance.now() - started);
  return {
    file: options.file, head: head.toString(), events, keys: vaultCounts.keys, shreddedKeys: vaultCounts.shredded, gzip, elapsedMs,
    eventsPerSecond: Math.round(events / Math.max(elapsedMs / 1000, 0.001)),
  };
}

/** PostgreSQL/PGlite count in SQL; EventStoreDB by one pass over the log (it keeps no count). */
async function countEvents(deps: EventLogDeps, head: bigint): Promise<number> {
  if (deps.store.kind !== 'eventstoredb') {
    const row = await deps.db.selectFrom('events').select((eb) => eb.fn.countAll<string>().as('n')).where('global_position', '<=', head).executeTakeFirstOrThrow();
    return Number(row.n);
  }
  let n = 0;
  let after = 0n;
  for (;;) {
    const page = await deps.store.readAll({ after, maxCount: PAGE });
    const within = page.filter((e) => e.position <= head);
    n += within.length;
    if (page.length < PAGE || within.length < page.length) return n;
    after = page.at(-1)!.position;
  }
}
