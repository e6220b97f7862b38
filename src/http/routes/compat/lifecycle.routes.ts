import express, { Router, type Request, type Response } from 'express';
import { ValidationError } from '../../../domain/shared/errors.js';
import type { AppDeps } from '../../app-deps.js';
import { markCertificate, markDomain, markKeyCompromised, type CertificateAction } from '../../lifecycle-marks.js';
import { runDeactivateExpired, runUpdateRecents } from '../../maintenance.js';
import type { CertificateLifecycle, DomainLifecycle } from '../../queries/lifecycle.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { compatMarkForm } from '../../schemas/lifecycle.schema.js';
import { multipartFields } from '../../upload.js';
import { domainKey } from '../lifecycle.routes.js';

const ACTOR = 'peter_sslers';
const FORM_FIELDS = ['action', 'reason'];
const multipart = multipartFields(FORM_FIELDS);
const urlencoded = express.urlencoded({ extended: false, limit: '16kb' });

/** peter_sslers clients post `curl --form` (multipart) or urlencoded forms; both become plain strings. */
async function readForm(req: Request, res: Response): Promise<Record<string, string>> {
  const run = (middleware: express.RequestHandler) =>
    new Promise<void>((resolve, reject) => middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
  if (req.is('multipart/form-data')) {
    await run(multipart);
    return Object.fromEntries(Object.entries(req.uploads ?? {}).map(([name, bytes]) => [name, bytes.toString('utf8')]));
  }
  await run(urlencoded);
  return (req.body ?? {}) as Record<string, string>;
}

/** peter_sslers' forms carry no reason; the mark still records one, naming where it came from. */
const markFrom = (form: { action: string; reason?: string }, route: string) => ({
  reason: form.reason ?? `peter_sslers ${route} action=${form.action}`,
  actor: ACTOR,
});

/** The fields of peter_sslers' CertificateSigned.as_json that certledger has. */
const certificateSignedJson = (c: CertificateLifecycle) => ({
  id: c.id,
  is_active: c.is_active,
  is_deactivated: !c.is_active && c.deactivation_reason !== null,
  is_revoked: c.is_revoked,
  is_compromised_private_key: c.private_key_is_compromised,
  timestamp_not_after: c.not_after,
  timestamp_not_before: c.not_before,
  cert_pem: c.pem,
  unique_fqdn_set_id: c.unique_fqdn_set_id,
  private_key_id: c.private_key_id,
  domains_as_list: c.domain_names,
  deactivation_reason: c.deactivation_reason,
});

const domainJson = (d: DomainLifecycle) => ({
  id: d.id,
  domain_name: d.domain_name,
  is_active: d.is_active,
  certificate_signed_id__latest_single: d.certificate_latest_single_id,
  certificate_signed_id__latest_multi: d.certificate_latest_multi_id,
});

const certificateActions: Record<string, CertificateAction> = { active: 'activate', inactive: 'deactivate', revoked: 'revoke' };

/** Lifecycle marks, update-recents and deactivate-expired, on the peter_sslers paths and with its answer shapes. */
export function peterSslersLifecycleRoutes(deps: AppDeps): Router {
  const router = Router();

  router.post('/certificate-signed/:id/mark.json', async (req, res) => {
    const form = parseOrThrow(compatMarkForm(['active', 'inactive', 'revoked', 'unrevoke'] as const), await readForm(req, res));
    if (form.action === 'unrevoke') throw new ValidationError({ action: 'Invalid option: `unrevoke` (a revocation is permanent)' });
    const marked = await markCertificate(deps, req.params.id, certificateActions[form.action]!, markFrom(form, 'certificate-signed mark.json'));
    res.json({ result: 'success', CertificateSigned: certificateSignedJson(marked.certificate), Domains: marked.domains.map(domainJson) });
  });

  router.post('/domain/:key/mark.json', async (req, res) => {
    const form = parseOrThrow(compatMarkForm(['active', 'inactive'] as const), await readForm(req, res));
    const action = form.action === 'active' ? 'activate' : 'deactivate';
    const { domain } = await markDomain(deps, domainKey(req.params.key), action, markFrom(form, 'domain mark.json'));
    res.json({ result: 'success', Domain: domainJson(domain) });
  });

  router.post('/private-key/:id/mark.json', async (req, res) => {
    const form = parseOrThrow(compatMarkForm(['compromised', 'active', 'inactive'] as const), await readForm(req, res));
    if (form.action !== 'compromised') {
      throw new ValidationError({ action: `\`${form.action}\` is not supported by certledger: private keys take only \`compromised\`` });
    }
    const marked = await markKeyCompromised(deps, req.params.id, markFrom(form, 'private-key mark.json'));
    res.json({
      result: 'success',
      PrivateKey: { ...marked.private_key, is_active: !marked.private_key.is_compromised },
      CertificateSigneds: marked.certificates,
    });
  });

  router.post('/api/update-recents.json', async (_req, res) => {
    const { domainsChanged } = await runUpdateRecents(deps);
    // No operations log in certledger: recents are a projection, repaired in place.
    res.json({ result: 'success', operations_event: null, domains_changed: domainsChanged });
  });

  router.post('/api/deactivate-expired.json', async (_req, res) => {
    const result = await runDeactivateExpired(deps, ACTOR);
    res.json({
      result: 'success',
      CertificateSigned: { expired: result.deactivatedIds.length },
      operations_event: null,
      certificate_ids: result.deactivatedIds,
      kept_as_latest_ids: result.keptIds,
    });
  });

  return router;
}
