import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import { toPem } from '../../infra/x509/pem.js';
import type { CertificateRecord } from './certificates.js';
import { findDomainServed, type ServedRecord } from './domain-served.js';
import { cachedPrivateKeyPem, forgetPrivateKey } from './private-key-cache.js';

type Part = { id: string; pem?: string };

/** The shape lua-resty-peter_sslers reads: ids are strings, PEMs omitted with idonly. */
export type CertificatePayload = {
  id: string;
  private_key: Part;
  certificate: Part;
  chain: Part;
  fullchain: Part;
};

export type DomainPayload = {
  /** A deactivated domain answers with both certificates null: nginx gets nothing for it. */
  domain: { id: string; domain_name: string; is_active: boolean };
  certificate_signed__latest_single: CertificatePayload | null;
  certificate_signed__latest_multi: CertificatePayload | null;
};

export type QueryDeps = { db: Kysely<Database>; vault: KeyVault };

export const fullchainPem = (record: CertificateRecord): string => record.pem + (record.chain?.pem ?? '');

export async function privateKeyPem(vault: KeyVault, privateKeyId: string): Promise<string> {
  return toPem('PRIVATE KEY', await vault.get(privateKeyId));
}

export async function certificatePayload(deps: QueryDeps, record: CertificateRecord, idOnly: boolean): Promise<CertificatePayload> {
  return withKey(record, idOnly, () => privateKeyPem(deps.vault, record.privateKeyId));
}

/** The `C` object without PEMs (`?idonly=1`). */
export const idOnlyPayload = (record: Pick<CertificateRecord, 'id' | 'privateKeyId' | 'chain'>): CertificatePayload => {
  const chainId = record.chain?.id ?? '';
  return {
    id: record.id,
    private_key: { id: record.privateKeyId },
    certificate: { id: record.id },
    chain: { id: chainId },
    fullchain: { id: `${record.id},${chainId}` },
  };
};

/** The `C` object with its PEMs; the served index serialises the same object, so both paths answer byte for byte alike. */
export const pemPayload = (record: CertificateRecord, keyPem: string): CertificatePayload => {
  const ids = idOnlyPayload(record);
  return {
    id: record.id,
    private_key: { ...ids.private_key, pem: keyPem },
    certificate: { ...ids.certificate, pem: record.pem },
    chain: { ...ids.chain, pem: record.chain?.pem ?? '' },
    fullchain: { ...ids.fullchain, pem: fullchainPem(record) },
  };
};

function withKey(record: CertificateRecord, idOnly: boolean, keyPem: () => Promise<string>): Promise<CertificatePayload> | CertificatePayload {
  if (idOnly) return idOnlyPayload(record);
  return keyPem().then((pem) => pemPayload(record, pem));
}

/**
 * A live key comes from the in-memory cache (the query just saw it live); any other goes to the
 * vault, which names the problem (shredded, missing) as it always did.
 */
async function servedPayload(deps: QueryDeps, record: ServedRecord | null, idOnly: boolean): Promise<CertificatePayload | null> {
  if (!record) return null;
  return withKey(record, idOnly, () => {
    if (record.keyLive) return cachedPrivateKeyPem(deps.vault, record.privateKeyId);
    forgetPrivateKey(deps.vault, record.privateKeyId);
    return privateKeyPem(deps.vault, record.privateKeyId);
  });
}

/** One query for the domain, its certificates, chains and key states; decrypted keys come from memory when known. */
export async function domainPayload(deps: QueryDeps, nameOrId: string, idOnly: boolean): Promise<DomainPayload | null> {
  const found = await findDomainServed(deps.db, nameOrId);
  if (!found) return null;
  const { domain } = found;
  // The recents stay recorded while a domain is inactive; they are only not handed out.
  const [single, multi] = await Promise.all([
    servedPayload(deps, domain.isActive ? found.single : null, idOnly),
    servedPayload(deps, domain.isActive ? found.multi : null, idOnly),
  ]);
  return {
    domain: { id: domain.id, domain_name: domain.domainName, is_active: domain.isActive },
    certificate_signed__latest_single: single,
    certificate_signed__latest_multi: multi,
  };
}
