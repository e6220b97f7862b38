/**
 * GET /ca-chains and /ca-chains/:id: the API's queries (listCaChains, findCaChain, the certificate
 * list behind /ca-chains/{id}/certificates, the chain's own event stream).
 */
import { Router } from 'express';
import { NotFoundError } from '../../../domain/shared/errors.js';
import { streams } from '../../../domain/shared/ids.js';
import type { AppDeps } from '../../app-deps.js';
import { listEvents } from '../../queries/audit.js';
import { CA_CHAIN_SORTS, caCertificatesOfChains, findCaCertificateRow, listCaChains } from '../../queries/ca-catalog.js';
import { listCertificates } from '../../queries/certificate-list.js';
import { findCaChain, listChainPreferences } from '../../queries/certificates.js';
import { page } from '../layout.js';
import { listParams, pageOfParams } from '../lists.js';
import { ctxOf, sendPage } from '../respond.js';
import { caChainDetail, caChainList, type CaChainView } from './ca-chain-view.js';
import { shortId } from './ca-parts.js';

const EVENT_LIMIT = 200;
const CERTIFICATES_SHOWN = 50;

export function caChainPages(deps: AppDeps): Router {
  const router = Router();

  router.get('/ca-chains', async (req, res) => {
    const ctx = ctxOf(res);
    const p = listParams(req.query, CA_CHAIN_SORTS, { sort: 'created_at', dir: 'asc' });
    const found = await listCaChains(deps.db, pageOfParams(p), undefined, { q: p.q || undefined, sort: p.sort as (typeof CA_CHAIN_SORTS)[number], dir: p.dir });
    const members = await caCertificatesOfChains(deps.db, found.rows);
    sendPage(res, 200, page(ctx, { title: 'CA chains', section: 'ca' }, caChainList(ctx, p, { rows: found.rows, total: found.total, members })));
  });

  /** The top's issuer, when the chain stops below a CA certificate it does not hold. */
  const topIssuer = async (top: { id: string; is_self_signed: boolean } | undefined): Promise<CaChainView['topIssuer']> => {
    if (!top || top.is_self_signed) return null;
    const row = await findCaCertificateRow(deps.db, top.id);
    if (!row) return null;
    const issuer = row.issuer_ca_certificate_id ? await findCaCertificateRow(deps.db, row.issuer_ca_certificate_id) : null;
    return { subject: row.issuer, known: issuer && { id: issuer.id, subject: issuer.subject } };
  };

  router.get('/ca-chains/:id', async (req, res) => {
    const ctx = ctxOf(res);
    const chain = await findCaChain(deps.db, req.params.id);
    if (!chain) throw new NotFoundError('CA chain not found');
    const top = chain.ca_certificates.at(-1);
    const [issuer, policy, certificates, events] = await Promise.all([
      topIssuer(top),
      listChainPreferences(deps.db),
      listCertificates(deps.db, { ca_chain_id: chain.id }, { limit: CERTIFICATES_SHOWN, offset: 0 }, ctx.now),
      listEvents(deps, { streams: [streams.caChain(chain.id)] }, EVENT_LIMIT),
    ]);
    const preferenceSlot = (top && policy.find((entry) => entry.fingerprint_sha1 === top.fingerprint_sha1)?.slot) ?? null;
    sendPage(res, 200, page(ctx, {
      title: `CA chain ${shortId(chain.id)}…`, section: 'ca', crumbs: [{ href: `${ctx.base}/ca-chains`, label: 'CA chains' }],
    }, caChainDetail(ctx, { chain, topIssuer: issuer, preferenceSlot, certificates, events: events.items })));
  });

  return router;
}
