import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import { toPem } from '../../infra/x509/pem.js';
import { findCertificateRecord, findDomain, type CertificateRecord } from './certificates.js';

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
  const chainId = record.chain?.id ?? '';
  const ids = {
    id: record.id,
    private_key: { id: record.privateKeyId },
    certificate: { id: record.id },
    chain: { id: chainId },
    fullchain: { id: `${record.id},${chainId}` },
  };
  if (idOnly) return ids;
  return {
    id: record.id,
    private_key: { ...ids.private_key, pem: await privateKeyPem(deps.vault, record.privateKeyId) },
    certificate: { ...ids.certificate, pem: record.pem },
    chain: { ...ids.chain, pem: record.chain?.pem ?? '' },
    fullchain: { ...ids.fullchain, pem: fullchainPem(record) },
  };
}

async function payloadFor(deps: QueryDeps, certificateId: string | null, idOnly: boolean): Promise<CertificatePayload | null> {
  if (!certificateId) return null;
  const record = await findCertificateRecord(deps.db, certificateId);
  return record ? certificatePayload(deps, record, idOnly) : null;
}

export async function domainPayload(deps: QueryDeps, nameOrId: string, idOnly: boolean): Promise<DomainPayload | null> {
  const domain = await findDomain(deps.db, nameOrId);
  if (!domain) return null;
  // The recents stay recorded while a domain is inactive; they are only not handed out.
  const served = (certificateId: string | null) => (domain.isActive ? certificateId : null);
  const [single, multi] = await Promise.all([
    payloadFor(deps, served(domain.latestSingleId), idOnly),
    payloadFor(deps, served(domain.latestMultiId), idOnly),
  ]);
  return {
    domain: { id: domain.id, domain_name: domain.domainName, is_active: domain.isActive },
    certificate_signed__latest_single: single,
    certificate_signed__latest_multi: multi,
  };
}
