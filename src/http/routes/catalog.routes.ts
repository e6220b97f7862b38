import express, { Router, type Request, type Response } from 'express';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { AppDeps } from '../app-deps.js';
import {
  isCaCertificateDownload,
  isCaChainDownload,
  isPrivateKeyDownload,
  sendCaCertificateDownload,
  sendCaChainDownload,
  sendPrivateKeyDownload,
  sendViaChainDownload,
} from '../downloads.js';
import { caCertificateItem, caCertificatesOf, caChainItem, caSignatures, findCaCertificateRow, findCaChainRow, listCaCertificates, listCaChains } from '../queries/ca-catalog.js';
import { listCertificates, type CertificateFilters } from '../queries/certificate-list.js';
import { findCertificateRecord } from '../queries/certificates.js';
import { certificatePayload } from '../queries/config-payload.js';
import { findPrivateKey, findUniqueFqdnSet, listPrivateKeys, listUniqueFqdnSets } from '../queries/key-catalog.js';
import { parsedCaCertificate, parsedCertificate, parsedPrivateKey, parseUpload } from '../queries/parse-payload.js';
import { pageQuery, parseJsonBody, privateKeyListQuery } from '../schemas/catalog.schema.js';
import { listQuery, parseOrThrow } from '../schemas/certificate.schema.js';
import { multipartFields } from '../upload.js';

const parseMultipart = multipartFields(['file']);

/** The certificates related to one object: the certificate filters, with that object's one fixed. */
async function relatedCertificates(deps: AppDeps, req: Request, res: Response, fixed: CertificateFilters): Promise<void> {
  const { limit, offset, ...filters } = parseOrThrow(listQuery, req.query);
  res.json(await listCertificates(deps.db, { ...filters, ...fixed }, { limit, offset }, deps.now()));
}

async function uploadedObject(req: Request, res: Response): Promise<Buffer> {
  if (req.is('multipart/form-data')) {
    await new Promise<void>((resolve, reject) => parseMultipart(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
    const file = req.uploads?.file;
    if (!file || file.length === 0) throw new ValidationError({ file: 'is required' });
    return file;
  }
  if (!req.is('application/json')) throw new ValidationError({ _form: 'send application/json {"pem"} or multipart/form-data with a file field' });
  return Buffer.from(parseOrThrow(parseJsonBody, req.body).pem);
}

/** Catalog queries (lists, filters, parse.json) and downloads: native API (/api/v1). */
export function catalogRoutes(deps: AppDeps): Router {
  const router = Router();
  const found = <T>(value: T | null, what: string): T => {
    if (value === null) throw new NotFoundError(`${what} not found`);
    return value;
  };

  router.get('/ca-certificates', async (req, res) => {
    const { items, total, limit, offset } = await listCaCertificates(deps.db, parseOrThrow(pageQuery, req.query));
    res.json({ items, total, limit, offset });
  });
  // GET /ca-certificates/:id itself is the CA helper's (routes/ca.routes.ts, mounted first).
  router.get('/ca-certificates/:id/signs', async (req, res) => {
    const row = found(await findCaCertificateRow(deps.db, req.params.id), 'CA certificate');
    const signed = await listCertificates(deps.db, { ca_certificate_id: row.id }, { limit: 1, offset: 0 }, deps.now());
    res.json({ ca_certificate_id: row.id, certificates_total: signed.total, ...(await caSignatures(deps.db, row)) });
  });
  router.get('/ca-certificates/:id/certificates', async (req, res) => {
    const row = found(await findCaCertificateRow(deps.db, req.params.id), 'CA certificate');
    await relatedCertificates(deps, req, res, { ca_certificate_id: row.id });
  });
  router.get('/ca-certificates/:id/parse.json', async (req, res) => {
    res.json({ ca_certificate: found(await parsedCaCertificate(deps, req.params.id), 'CA certificate') });
  });
  router.get('/ca-certificates/:id/:file', async (req, res, next) => {
    if (!isCaCertificateDownload(req.params.file)) return next();
    await sendCaCertificateDownload(deps, res, req.params.id, req.params.file);
  });

  router.get('/ca-chains', async (req, res) => {
    const { items, total, limit, offset } = await listCaChains(deps.db, parseOrThrow(pageQuery, req.query));
    res.json({ items, total, limit, offset });
  });
  // GET /ca-chains/:id itself is the CA helper's; this one lists its CA certificates, issuer of the leaf first.
  router.get('/ca-chains/:id/ca-certificates', async (req, res) => {
    const row = found(await findCaChainRow(deps.db, req.params.id), 'CA chain');
    res.json({ ca_chain: caChainItem(row), items: (await caCertificatesOf(deps.db, row)).map(caCertificateItem) });
  });
  router.get('/ca-chains/:id/certificates', async (req, res) => {
    const row = found(await findCaChainRow(deps.db, req.params.id), 'CA chain');
    await relatedCertificates(deps, req, res, { ca_chain_id: row.id });
  });
  router.get('/ca-chains/:id/:file', async (req, res, next) => {
    if (!isCaChainDownload(req.params.file)) return next();
    await sendCaChainDownload(deps, res, req.params.id, req.params.file);
  });

  router.get('/private-keys', async (req, res) => {
    const { limit, offset, ...filters } = parseOrThrow(privateKeyListQuery, req.query);
    res.json(await listPrivateKeys(deps.db, filters, { limit, offset }));
  });
  // GET /private-keys/:id (with its certificates) is the lifecycle helper's (routes/lifecycle.routes.ts).
  router.get('/private-keys/:id/certificates', async (req, res) => {
    const key = found(await findPrivateKey(deps.db, req.params.id), 'Private key');
    await relatedCertificates(deps, req, res, { private_key_id: key.id });
  });
  router.get('/private-keys/:id/parse.json', async (req, res) => {
    res.json({ private_key: found(await parsedPrivateKey(deps, req.params.id), 'Private key') });
  });
  router.get('/private-keys/:id/:file', async (req, res, next) => {
    if (!isPrivateKeyDownload(req.params.file)) return next();
    await sendPrivateKeyDownload(deps, res, req.params.id, req.params.file);
  });

  router.get('/unique-fqdn-sets', async (req, res) => {
    res.json(await listUniqueFqdnSets(deps.db, parseOrThrow(pageQuery, req.query)));
  });
  router.get('/unique-fqdn-sets/:id', async (req, res) => {
    res.json({ unique_fqdn_set: found(await findUniqueFqdnSet(deps.db, req.params.id), 'Unique FQDN set') });
  });
  router.get('/unique-fqdn-sets/:id/certificates', async (req, res) => {
    const set = found(await findUniqueFqdnSet(deps.db, req.params.id), 'Unique FQDN set');
    await relatedCertificates(deps, req, res, { unique_fqdn_set_id: set.id });
  });

  router.get('/certificates/:id/parse.json', async (req, res) => {
    res.json({ certificate: found(await parsedCertificate(deps, req.params.id), 'Certificate') });
  });
  router.get('/certificates/:id/via-chain/:chainId/config.json', async (req, res) => {
    const record = found(await findCertificateRecord(deps.db, req.params.id, { caChainId: req.params.chainId }), 'Certificate with that chain');
    res.json(await certificatePayload(deps, record, req.query.idonly === '1'));
  });
  router.get('/certificates/:id/via-chain/:chainId/:file', async (req, res) => {
    await sendViaChainDownload(deps, res, req.params.id, req.params.chainId, req.params.file);
  });

  router.post('/parse', express.json({ limit: '2mb' }), async (req, res) => {
    const parsed = await parseUpload(await uploadedObject(req, res), req.is('multipart/form-data') ? 'file' : 'pem');
    res.json({ kind: parsed.kind, parsed });
  });

  return router;
}
