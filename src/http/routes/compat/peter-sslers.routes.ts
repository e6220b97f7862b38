import { Router } from 'express';
import { NotFoundError, ValidationError } from '../../../domain/shared/errors.js';
import { normaliseDomainName } from '../../../infra/x509/domain-names.js';
import type { AppDeps } from '../../app-deps.js';
import { uploadCertificate } from '../../certificate-upload.js';
import { parseDownloadName, sendCertificateDownload } from '../../downloads.js';
import { findCertificateRecord, isId } from '../../queries/certificates.js';
import { certificatePayload, domainPayload, type DomainPayload } from '../../queries/config-payload.js';
import { primeDomainPayload } from '../../redis-write-through.js';
import { multipartFields } from '../../upload.js';

const flag = (value: unknown): boolean => value === '1' || value === 'true';

/** Older peter_sslers releases named the same objects x509_certificate__*; their clients still read them. */
const withAliases = (payload: DomainPayload) => ({
  ...payload,
  x509_certificate__latest_single: payload.certificate_signed__latest_single,
  x509_certificate__latest_multi: payload.certificate_signed__latest_multi,
});

const UPLOAD_FIELDS = { certificate: 'certificate_file', privateKey: 'private_key_file', chain: 'chain_file' } as const;

/** The peter_sslers admin API that lua-resty-peter_sslers and its users' scripts call; shapes are fixed by it. */
export function peterSslersRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get('/domain/:key/config.json', async (req, res) => {
    const key = req.params.key;
    let lookup: string;
    try {
      lookup = isId(key) ? key : normaliseDomainName(key);
    } catch {
      throw new ValidationError({ domain: `"${key}" is not a valid domain name` });
    }
    const idOnly = flag(req.query.idonly);
    const payload = await domainPayload(deps, lookup, idOnly);
    if (!payload) {
      res.status(404).json({ result: 'error', code: 'not_found', message: 'Domain not found' });
      return;
    }
    if (flag(req.query.openresty) && deps.redis) await primeDomainPayload(deps, payload);
    res.json({ result: 'success', ...withAliases(payload) });
  });

  router.get('/certificate-signed/:id/config.json', async (req, res) => {
    const record = await findCertificateRecord(deps.db, req.params.id);
    if (!record) throw new NotFoundError('Certificate not found');
    res.json(await certificatePayload(deps, record, flag(req.query.idonly)));
  });

  router.get('/certificate-signed/:id/:file', async (req, res, next) => {
    // Other file names under the certificate belong to other routers (parse.json, via-chain, …).
    if (!parseDownloadName(req.params.file)) return next();
    await sendCertificateDownload(deps, res, req.params.id, req.params.file);
  });

  router.post('/certificate-signed/upload.json', multipartFields(Object.values(UPLOAD_FIELDS)), async (req, res) => {
    const outcome = await uploadCertificate(deps, req.uploads ?? {}, UPLOAD_FIELDS, 'peter_sslers-upload');
    res.json({
      result: 'success',
      certificate: { created: outcome.created, id: outcome.certificateId, is_expired: outcome.isExpired },
      ca_certificate: { id: outcome.caCertificateIds[0] ?? null },
      certificate_ca_chain: { id: outcome.caChainId },
      private_key: { id: outcome.privateKeyId },
    });
  });

  return router;
}
