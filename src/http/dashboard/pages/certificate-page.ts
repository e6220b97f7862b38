/**
 * GET /certificates/:id: the API's summary (findCertificateSummary) with what surrounds it —
 * names, validity, key, every chain, lineage, the issuing order, downloads, marks, history.
 */
import type { Response } from 'express';
import { NotFoundError } from '../../../domain/shared/errors.js';
import type { AppDeps } from '../../app-deps.js';
import { listOrders } from '../../queries/acme-orders.js';
import { listCertificates } from '../../queries/certificate-list.js';
import { certificateDomains, certificateHistory, certificateStreams, findCaChain, findCertificateSummary } from '../../queries/certificates.js';
import { findPrivateKey } from '../../queries/key-catalog.js';
import { certificateLineage } from '../../queries/renewal-configurations.js';
import { emptyForm, type FormState } from '../forms.js';
import { html } from '../html.js';
import { facts, isoDate, page, type Notice } from '../layout.js';
import { ctxOf, sendPage } from '../respond.js';
import { eventTimeline } from './history.js';
import { downloadsSection } from './certificate-downloads.js';
import { markForm } from './certificate-marks.js';
import { chainsSection, keySection, lineageSection, namesSection, orderSection } from './certificate-sections.js';
import { statusBadges, validityBar } from './certificate-view.js';

/** Events shown at once; the rest are a link to the API's event list of the same streams. */
const HISTORY_LIMIT = 500;

const titleOf = (names: readonly string[]): string =>
  names.length <= 3 ? `Certificate for ${names.join(', ')}` : `Certificate for ${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;

async function load(deps: AppDeps, id: string, now: Date) {
  const certificate = await findCertificateSummary(deps.db, id);
  if (!certificate) throw new NotFoundError('Certificate not found');
  const [domains, key, chains, lineage, sameNames, orders, history] = await Promise.all([
    certificateDomains(deps.db, certificate.id),
    findPrivateKey(deps.db, certificate.private_key_id),
    Promise.all(certificate.ca_chains.map(async (link) => ({ ...link, chain: await findCaChain(deps.db, link.id) }))),
    certificateLineage(deps.db, certificate.id),
    listCertificates(deps.db, { unique_fqdn_set_id: certificate.unique_fqdn_set_id }, { limit: 25, offset: 0 }, now, { by: 'issued', dir: 'desc' }),
    listOrders(deps.db, { certificate_id: certificate.id }, { limit: 10, offset: 0 }),
    certificateHistory(deps, certificate.id, certificate.private_key_id, HISTORY_LIMIT),
  ]);
  return { certificate, domains, key, chains, lineage, sameNames, orders, history };
}

/** The page; `marks` carries a refused mark's errors and typed values, shown with `status`. */
export async function certificatePage(deps: AppDeps, id: string, res: Response, options: { status?: number; marks?: FormState; notice?: Notice } = {}): Promise<void> {
  const ctx = ctxOf(res);
  const v = await load(deps, id, ctx.now);
  const c = v.certificate;
  const moreEvents = v.history.next_after
    ? html`<p>Only the first ${HISTORY_LIMIT} events are shown: <a href="/api/v1/events?${certificateStreams(c.id, c.private_key_id).map((s) => `stream=${encodeURIComponent(s)}`).join('&')}&amp;after=${v.history.next_after}">the rest as JSON</a>.</p>`
    : '';
  const body = html`<p class="status">${statusBadges(c)}${c.deactivation_reason ? html` <span class="muted">— ${c.deactivation_reason}</span>` : ''}</p>
<h2 id="names">Names (${c.domain_names.length})</h2>
${namesSection(ctx, c.domain_names, v.domains)}
<h2 id="validity">Validity</h2>
${validityBar(c.not_before, c.not_after, ctx.now)}
${facts([
    ['Not before', isoDate(c.not_before)],
    ['Not after', isoDate(c.not_after)],
    ['Serial', html`<code>${c.serial}</code>`],
    ['Subject', c.subject],
    ['Issuer', c.issuer],
    ['SHA-256 fingerprint', html`<code>${c.fingerprint_sha256}</code>`],
    ['SHA-1 fingerprint', html`<code>${c.fingerprint_sha1}</code>`],
    ['Recorded', isoDate(c.created_at)],
    ['Sites', c.sites.length > 0 ? html`${c.sites.map((s, i) => html`${i > 0 ? ', ' : ''}<a href="${ctx.base}/sites/${s.site_id}">${s.site_id.slice(0, 8)}</a> (${s.role})`)}` : undefined],
  ])}
<h2 id="key">Private key</h2>
${keySection(v.key, c.private_key_id, c.spki_sha256)}
<h2 id="chains">Chains</h2>
${chainsSection(ctx, c.id, v.chains)}
<h2 id="lineage">Lineage</h2>
${lineageSection(ctx, c.id, v.lineage, v.sameNames.items, v.sameNames.total)}
<h2 id="order">ACME order</h2>
${orderSection(ctx, v.orders.items)}
<h2 id="downloads">Downloads</h2>
${downloadsSection(c.id)}
<h2 id="marks">Marks</h2>
${markForm(ctx, c, options.marks ?? emptyForm())}
<h2 id="history">History</h2>
${eventTimeline(v.history.items, 'Certificate history')}${moreEvents}`;
  const crumbs = [{ href: `${ctx.base}/certificates`, label: 'Certificates' }];
  sendPage(res, options.status ?? 200, page(ctx, { title: titleOf(c.domain_names), section: 'certificates', crumbs, notice: options.notice }, body));
}
