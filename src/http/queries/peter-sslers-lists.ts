/**
 * peter_sslers' paginated JSON lists: `{"<Objects>": {id: as_json, …}, "pagination": {…}}`, 50 a page,
 * pages numbered from 1 in the path. Each loader returns its total (for the page redirects) and body.
 */
import type { AppDeps } from '../app-deps.js';
import { caCertificatesOfChains, listCaCertificates, listCaChains, type CaCertificateRow } from './ca-catalog.js';
import { listCertificates, type CertificateFilters } from './certificate-list.js';
import { listDomains, type DomainFilters } from './domain-list.js';
import { listPrivateKeys, listUniqueFqdnSets } from './key-catalog.js';
import {
  caCertificateJson,
  caChainJson,
  certificateSignedJsons,
  compatPagination,
  domainJson,
  keyedById,
  PETER_SSLERS_PAGE_SIZE,
  privateKeyJson,
  uniqueFqdnSetJson,
} from './peter-sslers-json.js';

export type CompatPage = { total: number; body: Record<string, unknown> };

const pageAt = (page: number) => ({ limit: PETER_SSLERS_PAGE_SIZE, offset: (page - 1) * PETER_SSLERS_PAGE_SIZE });

export async function domainsPage(deps: AppDeps, page: number, filters: DomainFilters): Promise<CompatPage> {
  const now = deps.now();
  const list = await listDomains(deps.db, filters, pageAt(page), now);
  return { total: list.total, body: { Domains: keyedById(list.items.map((d) => domainJson(d, now))), pagination: compatPagination(list.total, page) } };
}

/** Certificates as `CertificateSigneds` (+ `CertificateSigneds_count` where peter_sslers sends it). */
export async function certificatesPage(deps: AppDeps, page: number, filters: CertificateFilters, withCount = false): Promise<CompatPage> {
  const list = await listCertificates(deps.db, filters, pageAt(page), deps.now());
  const body: Record<string, unknown> = { CertificateSigneds: await certificateSignedJsons(deps.db, list.items.map((c) => c.id)) };
  if (withCount) body.CertificateSigneds_count = list.total;
  body.pagination = compatPagination(list.total, page);
  return { total: list.total, body };
}

export async function caCertificatesPage(deps: AppDeps, page: number): Promise<CompatPage> {
  const list = await listCaCertificates(deps.db, pageAt(page));
  return { total: list.total, body: { CertificateCAs: keyedById(list.rows.map(caCertificateJson)), pagination: compatPagination(list.total, page) } };
}

export async function caChainsPage(deps: AppDeps, page: number, at?: { ca: CaCertificateRow; position: 0 | 'last' }): Promise<CompatPage> {
  const list = await listCaChains(deps.db, pageAt(page), at && { caCertificateId: at.ca.id, position: at.position });
  const cas = await caCertificatesOfChains(deps.db, list.rows);
  const chains = keyedById(list.rows.map((row) => caChainJson(row, cas.get(row.id) ?? [])));
  const body: Record<string, unknown> = at
    ? { CertificateCA: caCertificateJson(at.ca), CertificateCAChains: chains, CertificateCAChains_count: list.total }
    : { CertificateCAChains: chains };
  body.pagination = compatPagination(list.total, page);
  return { total: list.total, body };
}

export async function privateKeysPage(deps: AppDeps, page: number): Promise<CompatPage> {
  const list = await listPrivateKeys(deps.db, {}, pageAt(page));
  return { total: list.total, body: { PrivateKeys: keyedById(list.items.map(privateKeyJson)), pagination: compatPagination(list.total, page) } };
}

export async function uniqueFqdnSetsPage(deps: AppDeps, page: number): Promise<CompatPage> {
  const list = await listUniqueFqdnSets(deps.db, pageAt(page));
  return { total: list.total, body: { UniqueFQDNSets: keyedById(list.items.map(uniqueFqdnSetJson)), pagination: compatPagination(list.total, page) } };
}
