import { importCertificate, type ImportCertificateResult } from '../commands/certificate/import-certificate.js';
import { parseCertificateBundle } from '../infra/x509/bundle.js';
import type { AppDeps } from './app-deps.js';

export type UploadFieldNames = { certificate: string; privateKey: string; chain: string };

export type UploadOutcome = ImportCertificateResult;

/** Parse and validate everything first, so bad input stores nothing; then import and wait for the read model. */
export async function uploadCertificate(
  deps: AppDeps,
  uploads: Record<string, Buffer>,
  fields: UploadFieldNames,
  actor: string,
): Promise<UploadOutcome> {
  const bundle = await parseCertificateBundle(
    { certificate: uploads[fields.certificate], privateKey: uploads[fields.privateKey], chain: uploads[fields.chain] },
    fields,
    deps.now(),
  );
  const result = await importCertificate({ store: deps.store, vault: deps.vault, now: deps.now }, bundle, { actor });
  await deps.projections.waitFor(result.position);
  deps.logger.info('certificate uploaded', { certificateId: result.certificateId, created: result.created });
  return result;
}
