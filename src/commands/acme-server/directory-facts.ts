import { createHash } from 'node:crypto';
import type { FetchedDirectory } from '../../domain/acme-server/commands.js';
import type { JsonValue } from '../../domain/shared/event.js';
import type { AcmeDirectory } from '../../infra/acme/index.js';

/** JSON with object keys sorted at every level: the same document always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, member]) => member !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What a directory fetch records: the document as served, its hash, and the meta that commands read. */
export function directoryFacts(directory: AcmeDirectory): FetchedDirectory {
  const raw = JSON.parse(JSON.stringify(directory.raw)) as { [member: string]: JsonValue };
  return {
    directory: raw,
    directorySha256: createHash('sha256').update(canonicalJson(raw), 'utf8').digest('hex'),
    externalAccountRequired: directory.meta.externalAccountRequired,
    termsOfService: directory.meta.termsOfService ?? null,
  };
}
