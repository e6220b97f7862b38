/**
 * Native API for sites: show, deploy, undeploy, backup (the description with key and
 * certificate) and restore (accepts one). Input is checked in full before anything is written.
 */
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { backUpSite, type SiteDescription } from '../../commands/site/backup.js';
import { deploySite, type SiteOutcome } from '../../commands/site/deploy.js';
import type { CertificateMaterial, SiteDeps, SiteIssuer } from '../../commands/site/deps.js';
import { importMaterial } from '../../commands/site/material.js';
import { restoreSite } from '../../commands/site/restore.js';
import { loadSite } from '../../commands/site/stream.js';
import { undeploySite } from '../../commands/site/undeploy.js';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { SiteState, TlsWish } from '../../domain/site/state.js';
import { orderDepsOf } from '../acme-order-answers.js';
import type { AppDeps } from '../app-deps.js';
import { listSites } from '../queries/sites.js';
import { idParam, paginationFields, parseOrThrow } from '../schemas/certificate.schema.js';

const siteId = z.string({ error: 'must be a site id' }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a site id (letters, digits, . _ -)');
const hostName = z.string({ error: 'must be a host name' }).trim().toLowerCase()
  .regex(/^(?=.{1,253}$)(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/, 'must be a host name');
const hostNames = z.array(hostName, { error: 'is required: a list of host names' }).min(1, 'needs at least one host name').max(100, 'takes at most 100 names');
const pem = (what: string) => z.string({ error: `must be a PEM ${what}` }).min(1, `must be a PEM ${what}`);
const material = z.strictObject({
  cert_pem: pem('certificate'),
  key_pem: pem('private key'),
  chain_pem: z.union([z.string(), z.array(z.string())]).optional(),
}, { error: 'must be an object with cert_pem, key_pem and optional chain_pem' });
const issuerFields = {
  acme_account_id: idParam.optional(),
  challenge_type: z.enum(['http-01', 'dns-01'], { error: 'must be http-01 or dns-01' }).optional(),
};
export const deployBody = z.strictObject({
  host_names: hostNames,
  tls: z.enum(['none', 'acme', 'own'], { error: 'must be none, acme or own' }),
  certificate: material.optional(),
  ...issuerFields,
}).superRefine((body, ctx) => {
  if (body.tls === 'own' && !body.certificate) ctx.addIssue({ code: 'custom', path: ['certificate'], message: 'is required when tls is own' });
  if (body.tls === 'none' && body.certificate) ctx.addIssue({ code: 'custom', path: ['certificate'], message: 'is not allowed when tls is none' });
});
const issuerBody = z.strictObject(issuerFields);
const listQuery = z.strictObject({ ...paginationFields, host: hostName.optional() });
export const restoreBody = z.strictObject({
  site_id: siteId,
  host_names: hostNames,
  wish: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('none') }),
    z.strictObject({ kind: z.literal('acme') }),
    z.strictObject({ kind: z.literal('own'), certificate_id: z.string().min(1, 'must be a certificate id') }),
  ], { error: 'must be {kind: none|acme|own}' }),
  deployed: z.boolean().optional(),
  certificate: z.strictObject({
    certificate_id: z.string().optional(),
    not_after: z.string().optional(),
    cert_pem: pem('certificate'),
    key_pem: pem('private key'),
    chain_pems: z.array(z.string()).default([]),
  }).nullable().optional(),
  ...issuerFields,
}).superRefine((body, ctx) => {
  if (body.wish.kind === 'own' && !body.certificate) ctx.addIssue({ code: 'custom', path: ['certificate'], message: 'is required when the wish is own' });
});

const toMaterial = (m: z.infer<typeof material>): CertificateMaterial => ({
  certificatePem: m.cert_pem,
  privateKeyPem: m.key_pem,
  chainPems: m.chain_pem === undefined ? [] : Array.isArray(m.chain_pem) ? m.chain_pem : [m.chain_pem],
});
const issuerOf = (body: { acme_account_id?: string; challenge_type?: 'http-01' | 'dns-01' }): SiteIssuer => ({
  ...(body.acme_account_id ? { accountId: body.acme_account_id } : {}),
  ...(body.challenge_type ? { challengeType: body.challenge_type } : {}),
});
const wishJson = (wish: TlsWish) => (wish.kind === 'own' ? { kind: 'own', certificate_id: wish.certificateId } : { kind: wish.kind });

export function siteJson(state: SiteState) {
  if (state.status === 'absent') return null;
  const current = state.current;
  return {
    site_id: state.siteId,
    status: state.status,
    host_names: state.hostNames,
    wish: wishJson(state.wish),
    current: current.kind === 'acme'
      ? { kind: 'acme', certificate_id: current.certificateId, not_after: current.notAfter }
      : current.kind === 'own' ? { kind: 'own', certificate_id: current.certificateId } : { kind: current.kind },
    stashed_certificates: state.stash.map((c) => ({ certificate_id: c.certificateId, not_after: c.notAfter, stashed: true })),
    pending_issue: state.pendingIssue ? { attempt_id: state.pendingIssue.attemptId, started_at: state.pendingIssue.startedAt } : null,
  };
}

const outcomeJson = (outcome: SiteOutcome) => ({
  site: siteJson(outcome.state),
  events: outcome.events.map((e) => e.type),
  tls_failure: outcome.tlsFailure,
  order_id: outcome.orderId,
});

/** A site id as routes and the CLI take it (400 / exit 2 naming `id`). */
export const checkedSiteId = (value: unknown): string => parseOrThrow(z.object({ id: siteId }), { id: value }).id;

/** deploy or redeploy from a checked body (API and CLI): tls own imports the certificate and uses it; acme considers it. */
export async function deployFromBody(commandDeps: SiteDeps, siteId: string, body: z.infer<typeof deployBody>, actor: string): Promise<SiteOutcome> {
  const existing = await loadSite(commandDeps.store, siteId);
  let wish: TlsWish = { kind: body.tls === 'own' ? 'acme' : body.tls } as TlsWish;
  let given: CertificateMaterial | null = null;
  if (body.tls === 'own') {
    const imported = await importMaterial(commandDeps, toMaterial(body.certificate!), { actor });
    wish = { kind: 'own', certificateId: imported.certificateId };
  } else if (body.certificate) {
    given = toMaterial(body.certificate);
  }
  return deploySite(commandDeps, {
    operation: existing.status === 'deployed' ? 'redeploy' : 'deploy', siteId, hostNames: body.host_names, wish, given, issuer: issuerOf(body),
  }, { actor });
}

export const descriptionJson = (d: SiteDescription) => ({
  site_id: d.siteId,
  host_names: d.hostNames,
  wish: wishJson(d.wish),
  deployed: d.deployed,
  certificate: d.certificate
    ? { certificate_id: d.certificate.certificateId, not_after: d.certificate.notAfter, cert_pem: d.certificate.certificatePem, chain_pems: d.certificate.chainPems, key_pem: d.certificate.privateKeyPem }
    : null,
});

/** The snake_case description a backup answers, as the restore handler takes it. */
export function descriptionFrom(body: z.infer<typeof restoreBody>): SiteDescription {
  return {
    siteId: body.site_id,
    hostNames: body.host_names,
    wish: body.wish.kind === 'own' ? { kind: 'own', certificateId: body.wish.certificate_id } : { kind: body.wish.kind },
    deployed: body.deployed ?? true,
    certificate: body.certificate
      ? { certificateId: body.certificate.certificate_id ?? '', notAfter: body.certificate.not_after ?? '', certificatePem: body.certificate.cert_pem, chainPems: body.certificate.chain_pems, privateKeyPem: body.certificate.key_pem }
      : null,
  };
}

export function sitesRoutes(deps: AppDeps): Router {
  const router = Router();
  const siteDeps = () => orderDepsOf(deps);
  const idOf = (req: Request) => checkedSiteId(req.params.id);
  const json = express.json({ limit: '1mb' });

  router.get('/sites', async (req, res) => {
    const q = parseOrThrow(listQuery, req.query);
    const { rows, total } = await listSites(deps.db, { host: q.host, limit: q.limit, offset: q.offset });
    const items = rows.map((r) => ({
      site_id: r.site_id,
      status: r.status,
      host_names: r.host_names,
      wish: wishJson(r.wish as TlsWish),
      current: { kind: r.current_kind, certificate_id: r.current_certificate_id, not_after: r.current_not_after ? new Date(r.current_not_after).toISOString() : null },
      stashed_certificates: r.stash.map((c) => ({ certificate_id: c.certificateId, not_after: c.notAfter, stashed: true })),
      updated_at: new Date(r.updated_at).toISOString(),
    }));
    res.json({ items, total, limit: q.limit, offset: q.offset });
  });
  router.post('/sites/restore', json, async (req, res) => {
    const body = parseOrThrow(restoreBody, req.body ?? {});
    const description = descriptionFrom(body);
    res.json(outcomeJson(await restoreSite(siteDeps(), description, issuerOf(body), { actor: 'api' })));
  });
  router.get('/sites/:id', async (req, res) => {
    const id = idOf(req);
    const site = siteJson(await loadSite(deps.store, id));
    if (!site) throw new NotFoundError(`Site ${id} not found`);
    res.json(site);
  });
  router.post('/sites/:id/deploy', json, async (req, res) => {
    const id = idOf(req);
    const body = parseOrThrow(deployBody, req.body ?? {});
    const commandDeps = siteDeps();
    const outcome = await deployFromBody(commandDeps, id, body, 'api');
    res.json(outcomeJson(outcome));
  });
  router.post('/sites/:id/undeploy', json, async (req, res) => {
    const id = idOf(req);
    const body = parseOrThrow(issuerBody, req.body ?? {});
    if ((await loadSite(deps.store, id)).status === 'absent') throw new NotFoundError(`Site ${id} not found`);
    res.json(outcomeJson(await undeploySite(siteDeps(), id, issuerOf(body), { actor: 'api' })));
  });
  router.post('/sites/:id/backup', async (req, res) => {
    const id = idOf(req);
    if ((await loadSite(deps.store, id)).status === 'absent') throw new NotFoundError(`Site ${id} not found`);
    res.json(descriptionJson(await backUpSite(siteDeps(), id, { actor: 'api' })));
  });
  return router;
}
