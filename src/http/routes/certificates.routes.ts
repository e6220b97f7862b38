import { Router } from 'express';
import { NotFoundError } from '../../domain/shared/errors.js';
import type { AppDeps } from '../app-deps.js';
import { jsonBody, readCertificateUpload, uploadCertificate } from '../certificate-upload.js';
import { parseDownloadName, sendCertificateDownload } from '../downloads.js';
import { findCertificateRecord, findCertificateSummary } from '../queries/certificates.js';
import { certificatePayload } from '../queries/config-payload.js';
import { listCertificates } from '../queries/certificate-list.js';
import { certificateListQuery, parseOrThrow } from '../schemas/certificate.schema.js';

export function certificateRoutes(deps: AppDeps): Router {
  const router = Router();

  router.post('/certificates', jsonBody, async (req, res) => {
    // JSON (`chain`, or `chains` with the CA's default first) or multipart; no chain → built from known CAs.
    const upload = await readCertificateUpload(req, res);
    const outcome = await uploadCertificate(deps, upload.uploads, upload.fields, 'api', upload.alternateChains);
    const certificate = await findCertificateSummary(deps.db, outcome.certificateId);
    res.status(outcome.created ? 201 : 200).json({ created: outcome.created, certificate });
  });

  // Filters (listQuery): active, expired, revoked, expiring_within_days, unique_fqdn_set_id, serial,
  // spki_sha256, private_key_id, ca_certificate_id, ca_chain_id, issuer (+ issuer_match), domain,
  // stashed (kept by a site for a later deploy; every item says is_stashed and which sites hold it).
  router.get('/certificates', async (req, res) => {
    const { limit, offset, sort, dir, ...filters } = parseOrThrow(certificateListQuery, req.query);
    res.json(await listCertificates(deps.db, filters, { limit, offset }, deps.now(), sort ? { by: sort, dir: dir ?? 'asc' } : undefined));
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
