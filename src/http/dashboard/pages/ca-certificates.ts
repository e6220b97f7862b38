/**
 * GET /ca-certificates and /ca-certificates/:id: the API's queries (listCaCertificates,
 * caSignatures and the certificate list behind /ca-certificates/{id}/signs and /certificates,
 * the chain preference policy, the CA certificate's own event stream).
 */
import { Router } from 'express';
import { NotFoundError } from '../../../domain/shared/errors.js';
import { streams } from '../../../domain/shared/ids.js';
import type { AppDeps } from '../../app-deps.js';
import { listEvents } from '../../queries/audit.js';
import {
  CA_CERTIFICATE_SORTS, caCertificatesOfChains, caSignatures, certificatesIssuedBy, findCaCertificateRow, findCaChainRow, listCaCertificates,
} from '../../queries/ca-catalog.js';
import { listCertificates } from '../../queries/certificate-list.js';
import { listChainPreferences } from '../../queries/certificates.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { listParams, pageOfParams } from '../lists.js';
import { ctxOf, noticeFrom, sendPage } from '../respond.js';
import { caCertificateDetail } from './ca-certificate-view.js';
import { caCertificateList } from './ca-certificate-list.js';
import { caTabs } from './ca-parts.js';

/** Enough of a history for one page: a CA certificate's stream holds an import and a reconciliation or two. */
const EVENT_LIMIT = 200;
const SIGNED_SHOWN = 25;

export const CA_NOTICES = { uploaded: 'CA certificate uploaded.', known: 'That CA certificate was already known: nothing changed.' };

export function caCertificatePages(deps: AppDeps): Router {
  const router = Router();

  router.get('/ca-certificates', async (req, res) => {
    const ctx = ctxOf(res);
    const p = listParams(req.query, CA_CERTIFICATE_SORTS, { sort: 'subject', dir: 'asc' });
    const found = await listCaCertificates(deps.db, pageOfParams(p), { q: p.q || undefined, sort: p.sort as (typeof CA_CERTIFICATE_SORTS)[number], dir: p.dir });
    const [issued, policy] = await Promise.all([certificatesIssuedBy(deps.db, found.rows.map((r) => r.id)), listChainPreferences(deps.db)]);
    const preferred = new Map(policy.map((entry) => [entry.fingerprint_sha1, entry.slot]));
    sendPage(res, 200, page(ctx, { title: 'CA certificates', section: 'ca' }, html`${caTabs(ctx, '/ca-certificates')}
${caCertificateList(ctx, p, { rows: found.rows, total: found.total, issued, preferred })}`));
  });

  router.get('/ca-certificates/:id', async (req, res) => {
    const ctx = ctxOf(res);
    const ca = await findCaCertificateRow(deps.db, req.params.id);
    if (!ca) throw new NotFoundError('CA certificate not found');
    const [signs, certificates, policy, events] = await Promise.all([
      caSignatures(deps.db, ca),
      listCertificates(deps.db, { ca_certificate_id: ca.id }, { limit: SIGNED_SHOWN, offset: 0 }, ctx.now),
      listChainPreferences(deps.db),
      listEvents(deps, { streams: [streams.caCertificate(ca.id)] }, EVENT_LIMIT),
    ]);
    const chainRows = (await Promise.all(signs.ca_chains.map((c) => findCaChainRow(deps.db, c.id)))).filter((row) => row !== null);
    const chainMembers = await caCertificatesOfChains(deps.db, chainRows);
    const preferenceSlot = policy.find((entry) => entry.fingerprint_sha1 === ca.fingerprint_sha1)?.slot ?? null;
    sendPage(res, 200, page(ctx, {
      title: ca.subject || 'CA certificate', section: 'ca', crumbs: [{ href: `${ctx.base}/ca-certificates`, label: 'CA certificates' }], notice: noticeFrom(req.query, CA_NOTICES),
    }, caCertificateDetail(ctx, { ca, signs, chainMembers, certificates, preferenceSlot, events: events.items })));
  });

  return router;
}
