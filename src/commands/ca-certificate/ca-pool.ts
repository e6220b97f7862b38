import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import { parseCertificate, X509ParseError, type ParsedCertificate } from '../../infra/x509/certificate.js';

/**
 * Every known CA certificate, parsed: the pool chain building and reconciliation search. Read from
 * the catalog, so callers see what the projection has applied (they wait for their own writes).
 * CA certificates number in the tens or hundreds; parsing them all per call is cheap enough.
 */
export async function loadCaPool(db: Kysely<Database>): Promise<ParsedCertificate[]> {
  const rows = await db.selectFrom('ca_certificates').select(['pem']).orderBy('created_at').orderBy('id').execute();
  return rows.flatMap((row) => {
    try {
      return [parseCertificate(row.pem)];
    } catch (error) {
      // Stored PEMs were parsed on import; one that no longer parses (a stricter parser) is left out, not fatal.
      if (error instanceof X509ParseError) return [];
      throw error;
    }
  });
}
