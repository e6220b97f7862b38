import express, { Router, type Request } from 'express';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import type { AppDeps } from '../app-deps.js';
import { uploadCertificate } from '../certificate-upload.js';
import { parseDownloadName, sendCertificateDownload } from '../downloads.js';
import { findCertificateRecord, findCertificateSummary } from '../queries/certificates.js';
import { certificatePayload } from '../queries/config-payload.js';
import { countRows, listCertificates } from '../queries/lists.js';
import { certificateUploadJson, listQuery, parseOrThrow } from '../schemas/certificate.schema.js';
import { multipartFields } from '../upload.js';

const FIELDS = { certificate: 'certificate', privateKey: 'private_key', chain: 'chain' } as const;
const multipart = multipartFields(Object.values(FIELDS));

/** JSON with PEM strings, or multipart with files (PEM or DER): both end in the same command. */
async function readUpload(req: Request, res: express.Response): Promise<Record<string, Buffer>> {
  if (req.is('multipart/form-data')) {
    await new Promise<void>((resolve, reject) => multipart(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
    return req.uploads ?? {};
  }
  if (!req.is('application/json')) throw new ValidationError({ _form: 'send application/json or multipart/form-data' });
  const body = parseOrThrow(certificateUploadJson, req.body);
  return { certificate: Buffer.from(body.certificate), private_key: Buffer.from(body.private_key), chain: Buffer.from(body.chain) };
}

export function certificateRoutes(deps: AppDeps): Router {
  const router = Router();

  router.post('/certificates', express.json({ limit: '3mb' }), async (req, res) => {
    const outcome = await uploadCertificate(deps, await readUpload(req, res), FIELDS, 'api');
    const certificate = await findCertificateSummary(deps.db, outcome.certificateId);
    res.status(outcome.created ? 201 : 200).json({ created: outcome.created, certificate });
  });

  router.get('/certificates', async (req, res) => {
    const q = parseOrThrow(listQuery, req.query);
    const items = await listCertificates(deps.db, { ...q, expiringWithinDays: q.expiring_within_days, now: deps.now() });
    res.json({ items, total: await countRows(deps.db, 'certificates'), limit: q.limit, offset: q.offset });
  });

  router.get('/certificates/:id', async (req, res) => {
    const certificate = await findCertificateSummary(deps.db, req.params.id);
    if (!certificate) throw new NotFoundError('Certificate not found');
    res.json({ certificate });
  });

  router.get('/certificates/:id/config.json', async (req, res) => {
    const record = await findCertificateRecord(deps.db, req.params.id);
    if (!record) throw new NotFoundError('Certificate not found');
    res.json(await certificatePayload(deps, record, req.query.idonly === '1'));
  });

  router.get('/certificates/:id/:file', async (req, res, next) => {
    // Other file names under the certificate belong to other routers (parse.json, via-chain, …).
    if (!parseDownloadName(req.params.file)) return next();
    await sendCertificateDownload(deps, res, req.params.id, req.params.file);
  });

  return router;
}
