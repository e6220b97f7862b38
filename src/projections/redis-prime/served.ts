import type { Kysely } from 'kysely';
import type { CertificatePayload } from '../../http/queries/config-payload.js';
import { domainPayload } from '../../http/queries/config-payload.js';
import type { Database } from '../../infra/db/schema.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import type { PrimeCertificate } from '../../infra/redis/prime-writer.js';

export type ServedDeps = { db: Kysely<Database>; vault: KeyVault };

const asPrime = (c: CertificatePayload): PrimeCertificate => ({
  certificateId: c.certificate.id,
  certificatePem: c.certificate.pem ?? '',
  privateKeyId: c.private_key.id,
  privateKeyPem: c.private_key.pem ?? '',
  chainId: c.chain.id,
  chainPem: c.chain.pem ?? '',
  fullchainPem: c.fullchain.pem ?? '',
});

/**
 * What nginx gets for a domain, read from the catalog exactly as config.json serves it: the
 * latest multi, else the latest single (lua-resty-peter_sslers' order); null for an unknown or
 * inactive domain or one with no active certificate.
 */
export async function servedCertificate(deps: ServedDeps, domainName: string): Promise<PrimeCertificate | null> {
  const payload = await domainPayload(deps, domainName, false);
  const chosen = payload?.certificate_signed__latest_multi ?? payload?.certificate_signed__latest_single ?? null;
  return chosen ? asPrime(chosen) : null;
}
