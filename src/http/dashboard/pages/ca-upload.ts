/**
 * GET/POST /ca-certificates/upload: POST /api/v1/ca-certificates with a pasted PEM. The body is
 * the API's JSON shape (`certificate`), parsed by its schema and imported by the same
 * uploadCaCertificate, so a leaf or garbage is refused with the API's words next to the field.
 */
import { Router, type Response } from 'express';
import type { AppDeps } from '../../app-deps.js';
import { uploadCaCertificate } from '../../certificate-upload.js';
import { caCertificateJson } from '../../schemas/ca.schema.js';
import { parseOrThrow } from '../../schemas/certificate.schema.js';
import { emptyForm, errorSummary, field, formFailure, formValues, type FormState } from '../forms.js';
import { html } from '../html.js';
import { csrfField, page } from '../layout.js';
import { ctxOf, redirectDone, sendPage } from '../respond.js';
import { caTabs } from './ca-parts.js';

const PATH = '/ca-certificates/upload';

function uploadPage(res: Response, status: number, state: FormState): void {
  const ctx = ctxOf(res);
  sendPage(res, status, page(ctx, { title: 'Upload a CA certificate', section: 'ca', crumbs: [{ href: `${ctx.base}/ca-certificates`, label: 'CA certificates' }] }, html`
${caTabs(ctx, PATH)}
<p>Adds a root or intermediate to the catalog, so chains can be built to it and the chain preference policy can name it.
A certificate already known is kept as it is. Server certificates are uploaded with their key under <a href="${ctx.base}/certificates">Certificates</a>.</p>
${errorSummary(state)}
<form method="post" action="${ctx.base}${PATH}">${csrfField(ctx)}
${field(state, { name: 'certificate', label: 'CA certificate (PEM)', type: 'textarea', rows: 14, required: true, hint: 'One certificate, -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, with basicConstraints CA:TRUE.' })}
<button type="submit" class="primary">Upload</button></form>`));
}

export function caUploadPages(deps: AppDeps): Router {
  const router = Router();

  router.get(PATH, (_req, res) => uploadPage(res, 200, emptyForm()));

  router.post(PATH, async (req, res) => {
    const values = formValues(req.body);
    try {
      const body = parseOrThrow(caCertificateJson, values);
      const result = await uploadCaCertificate(deps, Buffer.from(body.certificate), 'certificate', 'dashboard');
      redirectDone(res, `${ctxOf(res).base}/ca-certificates/${result.caCertificateId}`, result.created ? 'uploaded' : 'known');
    } catch (error) {
      const failure = formFailure(error, req, values);
      uploadPage(res, failure.status, failure.state);
    }
  });

  return router;
}
