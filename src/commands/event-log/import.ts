import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { NewEvent } from '../../infra/eventstore/port.js';
import { putShreddedEntry } from '../../infra/key-vault/entries.js';
import { createExportOpener, MIN_PASSPHRASE_LENGTH, type ExportOpener } from '../../infra/key-vault/export-seal.js';
import type { EventLogDeps } from './export.js';
import { EXPORT_FORMAT, EXPORT_VERSION, PAGE, type EventLine, type ExportHeader, type KeyLine } from './format.js';

export type ImportResult = { file: string; events: number; keys: number; shreddedKeys: number; head: string; elapsedMs: number; eventsPerSecond: number };

/** A refusal or a bad file, named in one line; nothing was written when it is thrown before the first append. */
export class ImportError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'ImportError';
  }
}

/** Shredded entries carry no data key, so which master key "wraps" them does not matter. */
const SHREDDED_MASTER_KEY_ID = 'shredded';

/**
 * Replays an export into an EMPTY store: same stream names, revisions, types, data, metadata,
 * event ids and (on PostgreSQL/PGlite) times; private keys re-wrapped under this site's master
 * key, shredded ones kept shredded. A first pass opens every key before anything is written, so a
 * wrong passphrase or a damaged key leaves the target untouched. Global positions are the
 * target's own (the same when the source log has no holes).
 */
export async function importEventLog(
  deps: EventLogDeps,
  options: { file: string; passphrase: string; onProgress?: (done: number, total: number) => void },
): Promise<ImportResult> {
  const started = performance.now();
  const head = await deps.store.headPosition();
  if (head > 0n) throw new ImportError(`the event store is not empty (head position ${head}): import-events only writes into an empty store`);

  const header = await readHeader(options.file);
  const opener = await createExportOpener(options.passphrase, header.keys);
  try {
    await checkKeys(options.file, header, opener);
    let keys = 0;
    let shreddedKeys = 0;
    let events = 0;
    let batch: EventLine[] = [];
    const flush = async () => {
      const [firstLine, last] = [batch[0], batch.at(-1)];
      if (!firstLine || !last) return;
      const first = BigInt(firstLine.revision);
      const result = await deps.store.append(firstLine.stream, batch.map(toNewEvent), { expectedRevision: first === 0n ? 'no_stream' : first - 1n });
      if (result.nextRevision !== BigInt(last.revision)) throw new ImportError(`stream ${firstLine.stream}: revisions in the export are not contiguous at ${firstLine.revision}`);
      events += batch.length;
      batch = [];
      options.onProgress?.(events, header.counts.events);
    };
    for await (const line of body(options.file)) {
      if (line.kind === 'key') {
        if (line.sealed === undefined) {
          await putShreddedEntry(deps.db, { privateKeyId: line.privateKeyId, createdAt: line.createdAt, shreddedAt: line.shreddedAt ?? line.createdAt, masterKeyId: SHREDDED_MASTER_KEY_ID });
          shreddedKeys += 1;
        } else {
          const der = opener.open(line.privateKeyId, line.sealed);
          try {
            await deps.vault.put(line.privateKeyId, der);
          } finally {
            der.fill(0);
          }
        }
        keys += 1;
        continue;
      }
      if (batch.length > 0 && (batch[0]?.stream !== line.stream || batch.length >= PAGE)) await flush();
      batch.push(line);
    }
    await flush();
    if (events !== header.counts.events) {
      throw new ImportError(`the export announces ${header.counts.events} events but holds ${events}: the file is truncated`);
    }
    const elapsedMs = Math.round(performance.now() - started);
    return {
      file: options.file, events, keys, shreddedKeys, head: (await deps.store.headPosition()).toString(), elapsedMs,
      eventsPerSecond: Math.round(events / Math.max(elapsedMs / 1000, 0.001)),
    };
  } finally {
    opener.destroy();
  }
}

export function checkPassphrase(passphrase: string | undefined): string {
  if (!passphrase) throw new ImportError('no passphrase: give --passphrase-file F or set CERTLEDGER_EXPORT_PASSPHRASE');
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw new ImportError(`the passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`);
  return passphrase;
}

function toNewEvent(line: EventLine): NewEvent {
  return { id: line.id, type: line.type, data: line.data, metadata: line.metadata as NewEvent['metadata'], createdAt: line.createdAt };
}

async function* rawLines(file: string): AsyncGenerator<string> {
  const input = createReadStream(file);
  const source = file.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  // A read error (missing file, bad gzip) must reach the loop, not crash the process.
  input.on('error', (error) => source.destroy(error));
  const reader = createInterface({ input: source, crlfDelay: Infinity });
  try {
    for await (const line of reader) if (line.trim() !== '') yield line;
  } catch (error) {
    throw new ImportError(`${file} cannot be read: ${(error as Error).message}`, { cause: error });
  } finally {
    reader.close();
    input.destroy();
  }
}

function parse(line: string, at: number): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new ImportError(`line ${at} of the export is not JSON`, { cause: error });
  }
}

async function readHeader(file: string): Promise<ExportHeader> {
  for await (const line of rawLines(file)) {
    const header = parse(line, 1) as Partial<ExportHeader>;
    if (header.format !== EXPORT_FORMAT) throw new ImportError(`${file} is not a certledger export (no "${EXPORT_FORMAT}" header)`);
    if (header.version !== EXPORT_VERSION) throw new ImportError(`${file} has export version ${header.version}; this certledger reads version ${EXPORT_VERSION}`);
    if (!header.keys || !header.counts) throw new ImportError(`${file} has an incomplete header`);
    return header as ExportHeader;
  }
  throw new ImportError(`${file} is empty`);
}

/** Every line after the header, typed; anything else is a damaged file. */
async function* body(file: string): AsyncGenerator<KeyLine | EventLine> {
  let at = 0;
  for await (const line of rawLines(file)) {
    at += 1;
    if (at === 1) continue;
    const value = parse(line, at) as { kind?: unknown };
    if (value.kind === 'key' || value.kind === 'event') yield value as KeyLine | EventLine;
    else throw new ImportError(`line ${at} of the export is neither a key nor an event`);
  }
}

/** Pass one: every sealed key opens (and the key count matches) before anything is written. */
async function checkKeys(file: string, header: ExportHeader, opener: ExportOpener): Promise<void> {
  let keys = 0;
  for await (const line of body(file)) {
    if (line.kind === 'event') break;
    keys += 1;
    if (line.sealed === undefined) continue;
    try {
      opener.open(line.privateKeyId, line.sealed).fill(0);
    } catch (error) {
      throw new ImportError(`private key ${line.privateKeyId} in the export cannot be decrypted: the file is damaged`, { cause: error });
    }
  }
  if (keys !== header.counts.keys) throw new ImportError(`the export announces ${header.counts.keys} keys but holds ${keys}`);
}
