import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import { loadCaPool } from '../../commands/ca-certificate/ca-pool.js';
import { reconcileCaIssuers, type ReconcileReport } from '../../commands/ca-certificate/reconcile-ca-issuers.js';
import { changeChainPreference, type ChainPreferenceChange } from '../../commands/chain-preference/change-chain-preference.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { IssuerFetcher } from '../../infra/aia/port.js';
import { createIssuerFetcher } from '../../infra/aia/undici-fetcher.js';
import { ids } from '../../infra/ids.js';
import { parseCertificate } from '../../infra/x509/certificate.js';
import { buildTrustPaths, servedChain } from '../../infra/x509/chain-builder.js';
import type { AppDeps } from '../app-deps.js';
import { jsonBody, readMultipart, uploadCaCertificate, uploadCaChain } from '../certificate-upload.js';
import { findCaCertificate, findCaChain, findCertificateRecord, findCertificateSummary, listChainPreferences } from '../queries/certificates.js';
import { caCertificateJson, caChainJson, chainPreferencePut } from '../schemas/ca.schema.js';
import { parseOrThrow } from '../schemas/certificate.schema.js';

/** One PEM field from JSON (`{"<field>": "<PEM>"}`) or a multipart upload of that one field. */
async function readOneFile(req: Request, res: Response, field: string, schema: z.ZodType<Record<string, string>>): Promise<Buffer | undefined> {
  if (req.is('multipart/form-data')) return (await readMultipart(req, res, [field]))[field];
  if (!req.is('application/json')) throw new ValidationError({ _form: 'send application/json or multipart/form-data' });
  const body = parseOrThrow(schema, req.body);
  return Buffer.from(body[field]!);
}

export async function chainPreferencePayload(deps: AppDeps) {
  const items = await listChainPreferences(deps.db);
  return { fingerprints_sha1: items.map((item) => item.fingerprint_sha1), items };
}

/** Policy changes wait for the catalog, so the next read (config.json, downloads) serves the new pick. */
export async function applyChainPreference(deps: AppDeps, change: ChainPreferenceChange, actor: string) {
  const result = await changeChainPreference(deps, change, { actor });
  if (result.position !== null) await deps.projections.waitFor(result.position);
  return result;
}

/** Reconciliation report in the API's snake_case; waits until the catalog shows what was enrolled. */
export async function reconcileAndWait(deps: AppDeps, fetchIssuer: IssuerFetcher, actor: string) {
  const report: ReconcileReport = await reconcileCaIssuers({ ...deps, fetchIssuer }, { actor });
  if (report.position > 0n) await deps.projections.waitFor(report.position);
  return {
    checked: report.checked,
    enrolled: report.enrolled.map((e) => ({ ca_certificate_id: e.caCertificateId, subject: e.subject, url: e.url, created: e.created })),
    linked: report.linked.map((l) => ({ ca_certificate_id: l.caCertificateId, issuer_ca_certificate_id: l.issuerCaCertificateId, url: l.url })),
    failed: report.failed.map((f) => ({ ca_certificate_id: f.caCertificateId, url: f.url, error: f.error })),
  };
}

/** Every path from the certificate up through the known CA certificates, and which linked chain serves it. */
async function trustPaths(deps: AppDeps, certificateId: string) {
  const record = await findCertificateRecord(deps.db, certificateId);
  const summary = record && (await findCertificateSummary(deps.db, certificateId));
  if (!record || !summary) throw new NotFoundError('Certificate not found');
  const linked = new Set(summary.ca_chains.map((c) => c.id));
  const paths = await buildTrustPaths(parseCertificate(record.pem), await loadCaPool(deps.db));
  return {
    certificate_id: certificateId,
    trust_paths: paths.map((path) => {
      const chainId = ids.caChain(servedChain(path).map((c) => c.fingerprintSha256));
      return {
        ends_at_root: path.endsAtRoot,
        ca_chain_id: linked.has(chainId) ? chainId : null,
        ca_certificates: path.caCertificates.map((c) => ({
          id: ids.caCertificate(c.fingerprintSha256),
          subject: c.subject,
          issuer: c.issuer,
          fingerprint_sha1: c.fingerprintSha1,
          not_after: c.notAfter,
          is_self_signed: c.isSelfSigned,
        })),
      };
    }),
  };
}

/** CA certificates, chains, reconciliation and the chain preference policy: native API (/api/v1). */
export function caRoutes(deps: AppDeps): Router {
  const router = Router();
  const fetchIssuer = createIssuerFetcher();

  router.post('/ca-certificates', jsonBody, async (req, res) => {
    const result = await uploadCaCertificate(deps, await readOneFile(req, res, 'certificate', caCertificateJson), 'certificate', 'api');
    res.status(result.created ? 201 : 200).json({ created: result.created, ca_certificate: await findCaCertificate(deps.db, result.caCertificateId) });
  });

  router.post('/ca-certificates/reconcile', async (_req, res) => {
    res.json(await reconcileAndWait(deps, fetchIssuer, 'api'));
  });

  router.get('/ca-certificates/:id', async (req, res) => {
    const caCertificate = await findCaCertificate(deps.db, req.params.id);
    if (!caCertificate) throw new NotFoundError('CA certificate not found');
    res.json({ ca_certificate: caCertificate });
  });

  router.post('/ca-chains', jsonBody, async (req, res) => {
    const result = await uploadCaChain(deps, await readOneFile(req, res, 'chain', caChainJson), 'chain', 'api');
    res.status(result.created ? 201 : 200).json({ created: result.created, ca_chain: await findCaChain(deps.db, result.caChainId) });
  });

  router.get('/ca-chains/:id', async (req, res) => {
    const caChain = await findCaChain(deps.db, req.params.id);
    if (!caChain) throw new NotFoundError('CA chain not found');
    res.json({ ca_chain: caChain });
  });

  router.get('/chain-preference', async (_req, res) => {
    res.json(await chainPreferencePayload(deps));
  });

  router.put('/chain-preference', jsonBody, async (req, res) => {
    if (!req.is('application/json')) throw new ValidationError({ _form: 'send application/json' });
    const body = parseOrThrow(chainPreferencePut, req.body);
    const result = await applyChainPreference(deps, { type: 'SetChainPreferencePolicy', fingerprintsSha1: body.fingerprints_sha1 }, 'api');
    res.json({ changed: result.changed, ...(await chainPreferencePayload(deps)) });
  });

  router.get('/certificates/:id/trust-paths', async (req, res) => {
    res.json(await trustPaths(deps, req.params.id));
  });

  return router;
}
