import { ValidationError } from '../../domain/shared/errors.js';
import { inspect, inspectCertificateDer, inspectPrivateKey, type Inspection, type PrivateKeyInspection } from '../../infra/x509/inspect.js';
import { splitPemBlocks, X509ParseError } from '../../infra/x509/pem.js';
import { findCaCertificateRow } from './ca-catalog.js';
import type { QueryDeps } from './config-payload.js';
import { isId } from './certificates.js';
import { findPrivateKey } from './key-catalog.js';

const inspectPem = (pem: string) => inspectCertificateDer(splitPemBlocks(pem)[0]!.der);

/** parse.json of a stored certificate; null when unknown. */
export async function parsedCertificate(deps: QueryDeps, id: string) {
  if (!isId(id)) return null;
  const row = await deps.db.selectFrom('certificates').select(['id', 'pem']).where('id', '=', id.toLowerCase()).executeTakeFirst();
  return row ? { id: row.id, parsed: inspectPem(row.pem) } : null;
}

export async function parsedCaCertificate(deps: QueryDeps, id: string) {
  const row = await findCaCertificateRow(deps.db, id);
  return row ? { id: row.id, parsed: inspectPem(row.pem) } : null;
}

/**
 * A stored key's public facts, derived from the vault's PKCS#8 when the key is still there; a
 * shredded key keeps the facts the catalog recorded (technology, SPKI hash) and says so.
 */
export async function parsedPrivateKey(deps: QueryDeps, id: string) {
  const key = await findPrivateKey(deps.db, id);
  if (!key) return null;
  const available = await deps.vault.has(key.id);
  const parsed: PrivateKeyInspection & { key_material_available: boolean } = available
    ? { ...inspectPrivateKey(await deps.vault.get(key.id)), key_material_available: true }
    : { kind: 'private_key', key_technology: key.key_technology, spki_sha256: key.spki_sha256, modulus_md5: null, key_material_available: false };
  return { id: key.id, parsed };
}

/** POST /parse: anything unreadable is the `field`'s problem (400 naming it). */
export async function parseUpload(input: Buffer, field: string): Promise<Inspection> {
  try {
    return await inspect(input);
  } catch (error) {
    if (error instanceof X509ParseError) throw new ValidationError({ [field]: error.message }, undefined, { cause: error });
    throw error;
  }
}
