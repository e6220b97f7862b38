import type { Kysely } from 'kysely';
import { caCertificateDecider } from '../../domain/ca-certificate/decider.js';
import { streams } from '../../domain/shared/ids.js';
import { AiaFetchError, type IssuerFetcher } from '../../infra/aia/port.js';
import { parseIssuerDownload } from '../../infra/aia/issuer-download.js';
import type { Database } from '../../infra/db/schema.js';
import { ids } from '../../infra/ids.js';
import { X509ParseError, type ParsedCertificate } from '../../infra/x509/certificate.js';
import { findIssuers } from '../../infra/x509/chain-builder.js';
import { isSignedBy } from '../../infra/x509/verify.js';
import { maxPosition } from '../ca-chain/import-ca-chain.js';
import { handleCommand, type CommandContext } from '../handle.js';
import { loadCaPool } from './ca-pool.js';
import { importCaCertificate, type CaImportDeps } from './import-ca-certificate.js';

export type ReconcileDeps = CaImportDeps & { db: Kysely<Database>; fetchIssuer: IssuerFetcher };

export type ReconcileReport = {
  /** CA certificates whose issuer was unknown and that name an AIA "CA Issuers" URI. */
  checked: string[];
  enrolled: { caCertificateId: string; subject: string; url: string; created: boolean }[];
  linked: { caCertificateId: string; issuerCaCertificateId: string; url: string }[];
  failed: { caCertificateId: string; url: string; error: string }[];
  position: bigint;
};

/** Each run follows at most this many URIs, so a hostile or looping AIA graph cannot keep it busy. */
const MAX_DOWNLOADS = 32;

const needsIssuer = async (ca: ParsedCertificate, pool: readonly ParsedCertificate[]): Promise<boolean> =>
  !ca.isSelfSigned && ca.aiaCaIssuersUrls.length > 0 && (await findIssuers(ca, pool)).length === 0;

/** The downloaded certificate that is a CA and provably signed `child`; otherwise why none is. */
async function issuerIn(child: ParsedCertificate, downloaded: ParsedCertificate[]): Promise<ParsedCertificate> {
  for (const candidate of downloaded) {
    if (candidate.isCa && (await isSignedBy(child, candidate))) return candidate;
  }
  const anyCa = downloaded.some((c) => c.isCa);
  throw new AiaFetchError(anyCa ? 'the downloaded certificate did not issue this CA certificate' : 'the downloaded certificate is not a CA certificate');
}

/**
 * For every CA certificate whose issuer is unknown: download its AIA "CA Issuers" URIs in turn,
 * enrol the first certificate that provably signs it (source 'aia'), record the link, and go on
 * upwards with the new one until a root or nothing more is found. Failures are reported per URI
 * and leave nothing behind; a later run tries again.
 */
export async function reconcileCaIssuers(deps: ReconcileDeps, context: CommandContext = {}): Promise<ReconcileReport> {
  const pool = await loadCaPool(deps.db);
  const report: ReconcileReport = { checked: [], enrolled: [], linked: [], failed: [], position: 0n };
  const positions: (bigint | null)[] = [];
  const downloads = new Map<string, Promise<ParsedCertificate[]>>();
  const queue: ParsedCertificate[] = [];
  for (const ca of pool) if (await needsIssuer(ca, pool)) queue.push(ca);

  for (let child = queue.shift(); child; child = queue.shift()) {
    const caCertificateId = ids.caCertificate(child.fingerprintSha256);
    report.checked.push(caCertificateId);
    for (const url of child.aiaCaIssuersUrls) {
      if (!downloads.has(url) && downloads.size >= MAX_DOWNLOADS) {
        report.failed.push({ caCertificateId, url, error: `not tried: this run already followed ${MAX_DOWNLOADS} URIs` });
        continue;
      }
      try {
        if (!downloads.has(url)) downloads.set(url, deps.fetchIssuer(url).then(parseIssuerDownload));
        const issuer = await issuerIn(child, await downloads.get(url)!);
        const enrolled = await importCaCertificate(deps, issuer, { source: 'aia', sourceUrl: url }, context);
        report.enrolled.push({ caCertificateId: enrolled.caCertificateId, subject: issuer.subject, url, created: enrolled.created });
        const linked = await handleCommand(deps.store, streams.caCertificate(caCertificateId), caCertificateDecider, {
          type: 'ReconcileCaCertificateIssuer', caCertificateId, issuerCaCertificateId: enrolled.caCertificateId, url, now: deps.now().toISOString(),
        }, context, { retries: 3 });
        report.linked.push({ caCertificateId, issuerCaCertificateId: enrolled.caCertificateId, url });
        positions.push(enrolled.position, linked.position);
        if (!pool.some((c) => c.fingerprintSha256 === issuer.fingerprintSha256)) pool.push(issuer);
        if (await needsIssuer(issuer, pool)) queue.push(issuer);
        break;
      } catch (error) {
        if (!(error instanceof AiaFetchError || error instanceof X509ParseError)) throw error;
        report.failed.push({ caCertificateId, url, error: error.message });
      }
    }
  }
  report.position = maxPosition(positions);
  return report;
}
