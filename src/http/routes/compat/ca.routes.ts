import { Router } from 'express';
import { resolveFingerprintPrefix } from '../../../commands/chain-preference/change-chain-preference.js';
import { createIssuerFetcher } from '../../../infra/aia/undici-fetcher.js';
import type { AppDeps } from '../../app-deps.js';
import { uploadCaCertificate, uploadCaChain } from '../../certificate-upload.js';
import { findCaCertificate } from '../../queries/certificates.js';
import { preferredAddForm, preferredDeleteForm, preferredPrioritizeForm } from '../../schemas/ca.schema.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { multipartFields } from '../../upload.js';
import { applyChainPreference, chainPreferencePayload, reconcileAndWait } from '../ca.routes.js';

/** Form values arrive as bytes (file or text part alike); these forms hold short text. */
const formText = (uploads: Record<string, Buffer> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(uploads ?? {}).map(([name, bytes]) => [name, bytes.toString('utf8').trim()]));

/** CA certificate and chain uploads, reconciliation and the preferred CAs, on the peter_sslers paths. */
export function peterSslersCaRoutes(deps: AppDeps): Router {
  const router = Router();
  const fetchIssuer = createIssuerFetcher();

  // `*_file_name` is peter_sslers' optional display name; accepted and not kept.
  router.post('/certificate-ca/upload-cert.json', multipartFields(['cert_file', 'cert_file_name']), async (req, res) => {
    const result = await uploadCaCertificate(deps, req.uploads?.cert_file, 'cert_file', 'peter_sslers-upload');
    res.json({ result: 'success', CertificateCA: { created: result.created, id: result.caCertificateId } });
  });

  router.post('/certificate-ca-chain/upload-chain.json', multipartFields(['chain_file', 'chain_file_name']), async (req, res) => {
    const result = await uploadCaChain(deps, req.uploads?.chain_file, 'chain_file', 'peter_sslers-upload');
    res.json({ result: 'success', CertificateCAChain: { created: result.created, id: result.caChainId } });
  });

  // peter_sslers answers with the id of an operations log entry; certledger's log is the event store,
  // so the outcome itself is returned, under the operation payload's keys and the native ones.
  router.post('/api/reconcile-cas.json', async (_req, res) => {
    const report = await reconcileAndWait(deps, fetchIssuer, 'peter_sslers-api');
    res.json({
      result: 'success',
      operations_event: null,
      'certificate_ca.ids': report.checked,
      'certificate_ca.ids_fail': [...new Set(report.failed.map((f) => f.ca_certificate_id))],
      ...report,
    });
  });

  router.get('/certificate-cas/preferred.json', async (_req, res) => {
    const { items } = await chainPreferencePayload(deps);
    const cas = await Promise.all(items.map((item) => (item.ca_certificate ? findCaCertificate(deps.db, item.ca_certificate.id) : null)));
    res.json({
      PreferenceOrder: Object.fromEntries(items.map((item) => [String(item.slot), item.ca_certificate?.id ?? null])),
      CertificateCAs: Object.fromEntries(cas.flatMap((ca) => (ca ? [[ca.id, ca]] : []))),
    });
  });

  router.post('/certificate-cas/preferred/add.json', multipartFields(['fingerprint_sha1']), async (req, res) => {
    const form = parseOrThrow(preferredAddForm, formText(req.uploads));
    const fingerprintSha1 = await resolveFingerprintPrefix(deps.db, form.fingerprint_sha1, 'fingerprint_sha1');
    await applyChainPreference(deps, { type: 'AddChainPreference', fingerprintSha1 }, 'peter_sslers-api');
    res.json({ result: 'success', operation: 'add' });
  });

  router.post('/certificate-cas/preferred/delete.json', multipartFields(['slot', 'fingerprint_sha1']), async (req, res) => {
    const form = parseOrThrow(preferredDeleteForm, formText(req.uploads));
    await applyChainPreference(deps, { type: 'RemoveChainPreference', slot: form.slot, fingerprintSha1: form.fingerprint_sha1 }, 'peter_sslers-api');
    res.json({ result: 'success', operation: 'delete' });
  });

  router.post('/certificate-cas/preferred/prioritize.json', multipartFields(['slot', 'fingerprint_sha1', 'priority']), async (req, res) => {
    const form = parseOrThrow(preferredPrioritizeForm, formText(req.uploads));
    await applyChainPreference(deps, {
      type: 'PrioritizeChainPreference', slot: form.slot, fingerprintSha1: form.fingerprint_sha1, priority: form.priority,
    }, 'peter_sslers-api');
    res.json({ result: 'success', operation: 'prioritize' });
  });

  return router;
}
