/**
 * Certificates in and out of a site: a given certificate (with its key) is imported like an
 * upload; a backup reads the certificate, its default chain and its key back as PEM. The PEMs
 * come from the certificate's own streams and the vault, never from the site's events.
 */
import type { CertificateImported, CertificateChainLinked } from '../../domain/certificate/events.js';
import type { CaChainImported } from '../../domain/ca-chain/events.js';
import type { CaCertificateImported } from '../../domain/ca-certificate/events.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { streams } from '../../domain/shared/ids.js';
import type { CertificateRef } from '../../domain/site/state.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { parseCertificateBundle } from '../../infra/x509/bundle.js';
import { buildChains } from '../../infra/x509/chain-builder.js';
import { toPem } from '../../infra/x509/pem.js';
import { loadCaPool } from '../ca-certificate/ca-pool.js';
import { importCertificate } from '../certificate/import-certificate.js';
import type { CommandContext } from '../handle.js';
import type { CertificateMaterial, SiteDeps } from './deps.js';

export type ImportedCertificate = CertificateRef & { position: bigint };

const FIELDS = { certificate: 'certificate', privateKey: 'private_key', chain: 'chain' };

export async function importMaterial(deps: SiteDeps, material: CertificateMaterial, context: CommandContext): Promise<ImportedCertificate> {
  const bundle = await parseCertificateBundle({
    certificate: Buffer.from(material.certificatePem),
    privateKey: Buffer.from(material.privateKeyPem),
    chain: Buffer.from(material.chainPems.join('\n')),
  }, FIELDS, deps.now(), { chainOptional: true });
  let chains = bundle.chain.length > 0 ? [bundle.chain] : [];
  if (chains.length === 0) chains = await buildChains(bundle.certificate, await loadCaPool(deps.db));
  if (chains.length === 0) throw new ValidationError({ chain: 'is required: no known CA certificate issues this certificate' });
  const imported = await importCertificate(deps, { ...bundle, chains }, context);
  return { certificateId: imported.certificateId, notAfter: bundle.certificate.notAfter, position: imported.position };
}

export type CertificateRecord = { certificateId: string; pem: string; notBefore: string; notAfter: string; domainNames: string[]; privateKeyId: string; caChainIds: string[] };

/** The certificate as its stream says (no projection lag); chains default first. */
export async function certificateRecord(store: EventStore, certificateId: string): Promise<CertificateRecord> {
  const events = await store.readStream(streams.certificate(certificateId));
  const imported = events.find((e) => e.type === 'CertificateImported') as unknown as CertificateImported | undefined;
  if (!imported) throw new NotFoundError(`Certificate ${certificateId} not found`);
  const links = events.filter((e) => e.type === 'CertificateChainLinked').map((e) => (e as unknown as CertificateChainLinked).data);
  const caChainIds = [...links.filter((l) => l.isDefault), ...links.filter((l) => !l.isDefault)].map((l) => l.caChainId);
  const { pem, notBefore, notAfter, domainNames, privateKeyId } = imported.data;
  return { certificateId, pem, notBefore, notAfter, domainNames, privateKeyId, caChainIds };
}

async function chainPems(store: EventStore, caChainId: string): Promise<string[]> {
  const [chain] = await store.readStream(streams.caChain(caChainId), { maxCount: 1 });
  if (!chain) return [];
  const pems: string[] = [];
  for (const caCertificateId of (chain as unknown as CaChainImported).data.caCertificateIds) {
    const [ca] = await store.readStream(streams.caCertificate(caCertificateId), { maxCount: 1 });
    if (ca) pems.push((ca as unknown as CaCertificateImported).data.pem);
  }
  return pems;
}

/** Certificate, default chain and key as PEM, for a backup. */
export async function exportMaterial(deps: SiteDeps, certificateId: string): Promise<CertificateMaterial & CertificateRef> {
  const record = await certificateRecord(deps.store, certificateId);
  const key = await deps.vault.get(record.privateKeyId);
  return {
    certificateId,
    notAfter: record.notAfter,
    certificatePem: record.pem,
    chainPems: record.caChainIds[0] ? await chainPems(deps.store, record.caChainIds[0]) : [],
    privateKeyPem: toPem('PRIVATE KEY', key),
  };
}
