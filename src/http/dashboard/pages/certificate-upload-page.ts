/**
 * Upload a certificate with its key (and chain): the API's multipart fields (certificate,
 * private_key, chain), read by the API's readCertificateUpload and imported by uploadCertificate.
 * The CSRF token rides in the action's query string, which the router checks before the body is read.
 */
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-deps.js';
import { readCertificateUpload, uploadCertificate } from '../../certificate-upload.js';
import { emptyForm, errorSummary, field, formFailure, type FormState } from '../forms.js';
import { html } from '../html.js';
import { page, type DashboardContext } from '../layout.js';
import { ctxOf, redirectDone, sendPage } from '../respond.js';

export const UPLOAD_NOTICES = {
  uploaded: 'Certificate uploaded.',
  known: 'This certificate was already known: nothing new was stored.',
};

function uploadForm(ctx: DashboardContext, state: FormState) {
  const action = `${ctx.base}/certificates/upload?_csrf=${encodeURIComponent(ctx.csrf)}`;
  return page(ctx, { title: 'Upload a certificate', section: 'certificates', crumbs: [{ href: `${ctx.base}/certificates`, label: 'Certificates' }] }, html`
<p>A server certificate with its private key, as PEM or DER files. The key goes to the key vault and is never shown again here.</p>
${errorSummary(state)}
<form method="post" action="${action}" enctype="multipart/form-data">
${field(state, { name: 'certificate', label: 'Certificate', type: 'file', required: true, hint: 'The leaf (server) certificate, PEM or DER.' })}
${field(state, { name: 'private_key', label: 'Private key', type: 'file', required: true, hint: 'PKCS#8, PKCS#1 or SEC1; PEM or DER. It must match the certificate.' })}
${field(state, { name: 'chain', label: 'Chain', type: 'file', hint: 'The issuing CA certificates, issuer of the leaf first. Leave empty to build every chain from the CA certificates already known.' })}
<button type="submit" class="primary">Upload</button>
</form>`);
}

export function uploadPage(_deps: AppDeps, _req: Request, res: Response): void {
  sendPage(res, 200, uploadForm(ctxOf(res), emptyForm()));
}

export async function uploadSubmit(deps: AppDeps, req: Request, res: Response): Promise<void> {
  const ctx = ctxOf(res);
  try {
    const upload = await readCertificateUpload(req, res);
    const outcome = await uploadCertificate(deps, upload.uploads, upload.fields, 'dashboard', upload.alternateChains);
    redirectDone(res, `${ctx.base}/certificates/${outcome.certificateId}`, outcome.created ? 'uploaded' : 'known');
  } catch (error) {
    // No values echoed: the files are the only input, and one of them is a private key.
    const { status, state } = formFailure(error, req, {});
    sendPage(res, status, uploadForm(ctx, state));
  }
}
