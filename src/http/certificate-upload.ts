import express, { type Request, type Response } from 'express';
import { importCaCertificate } from '../commands/ca-certificate/import-ca-certificate.js';
import { loadCaPool } from '../commands/ca-certificate/ca-pool.js';
import { importCaChain } from '../commands/ca-chain/import-ca-chain.js';
import { importCertificate, type ImportCertificateResult } from '../commands/certificate/import-certificate.js';
import { ValidationError } from '../domain/shared/errors.js';
import { parseCaChain, parseCertificateBundle, type NamedFile } from '../infra/x509/bundle.js';
import { parseCertificate, X509ParseError } from '../infra/x509/certificate.js';
import { buildChains } from '../infra/x509/chain-builder.js';
import type { AppDeps } from './app-deps.js';
import { certificateUploadJson } from './schemas/ca.schema.js';
import { parseOrThrow } from './schemas/certificate.schema.js';
import { multipartFields } from './upload.js';

export type UploadFieldNames = { certificate: string; privateKey: string; chain: string };

export type UploadOutcome = ImportCertificateResult;

const NO_KNOWN_ISSUER = 'is required: no known CA certificate issues this certificate';

/**
 * Parse and validate everything first, so bad input stores nothing; then import and wait for the
 * read model. Without a chain, every chain the known CA certificates build for it is linked
 * (the preferred one as default); `alternateChains` are linked beside the given chain.
 */
export async function uploadCertificate(
  deps: AppDeps,
  uploads: Record<string, Buffer>,
  fields: UploadFieldNames,
  actor: string,
  alternateChains: NamedFile[] = [],
): Promise<UploadOutcome> {
  const bundle = await parseCertificateBundle(
    { certificate: uploads[fields.certificate], privateKey: uploads[fields.privateKey], chain: uploads[fields.chain], alternateChains },
    fields,
    deps.now(),
    { chainOptional: true },
  );
  let chains = [bundle.chain, ...bundle.alternateChains].filter((chain) => chain.length > 0);
  if (chains.length === 0) chains = await buildChains(bundle.certificate, await loadCaPool(deps.db));
  if (chains.length === 0) throw new ValidationError({ [fields.chain]: NO_KNOWN_ISSUER });

  const result = await importCertificate({ store: deps.store, vault: deps.vault, now: deps.now }, { ...bundle, chains }, { actor });
  await deps.projections.waitFor(result.position);
  deps.logger.info('certificate uploaded', { certificateId: result.certificateId, created: result.created, chains: result.caChainIds.length });
  return result;
}

/** A CA certificate on its own, PEM or DER; de-duplicated by fingerprint. */
export async function uploadCaCertificate(deps: AppDeps, file: Buffer | undefined, field: string, actor: string) {
  if (!file || file.length === 0) throw new ValidationError({ [field]: 'is required' });
  let ca;
  try {
    ca = parseCertificate(file);
  } catch (error) {
    if (error instanceof X509ParseError) throw new ValidationError({ [field]: error.message }, undefined, { cause: error });
    throw error;
  }
  if (!ca.isCa) throw new ValidationError({ [field]: 'is not a CA certificate (no basicConstraints CA:TRUE); upload leaf certificates with their key instead' });
  const result = await importCaCertificate(deps, ca, { source: 'upload' }, { actor });
  if (result.position !== null) await deps.projections.waitFor(result.position);
  deps.logger.info('CA certificate uploaded', { caCertificateId: result.caCertificateId, created: result.created });
  return result;
}

/** A chain of CA certificates, issuer of the leaf first, each signing the one before; de-duplicated by its fingerprints. */
export async function uploadCaChain(deps: AppDeps, file: Buffer | undefined, field: string, actor: string) {
  const chain = await parseCaChain(file, field);
  const result = await importCaChain(deps, chain, { source: 'upload' }, { actor });
  await deps.projections.waitFor(result.position);
  deps.logger.info('CA chain uploaded', { caChainId: result.caChainId, created: result.created });
  return result;
}

/** Runs the multipart parser from inside a handler that also accepts JSON. */
export async function readMultipart(req: Request, res: Response, allowed: readonly string[]): Promise<Record<string, Buffer>> {
  const parser = multipartFields(allowed);
  await new Promise<void>((resolve, reject) => parser(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
  return req.uploads ?? {};
}

export const jsonBody = express.json({ limit: '10mb' });

export type CertificateUploadRequest = { uploads: Record<string, Buffer>; fields: UploadFieldNames; alternateChains: NamedFile[] };

/**
 * POST /api/v1/certificates: JSON with PEM strings (`chain`, or `chains` with the default first)
 * or multipart with files (PEM or DER) named certificate, private_key and chain.
 */
export async function readCertificateUpload(req: Request, res: Response): Promise<CertificateUploadRequest> {
  const fields: UploadFieldNames = { certificate: 'certificate', privateKey: 'private_key', chain: 'chain' };
  if (req.is('multipart/form-data')) return { uploads: await readMultipart(req, res, Object.values(fields)), fields, alternateChains: [] };
  if (!req.is('application/json')) throw new ValidationError({ _form: 'send application/json or multipart/form-data' });
  const body = parseOrThrow(certificateUploadJson, req.body);
  const uploads: Record<string, Buffer> = { certificate: Buffer.from(body.certificate), private_key: Buffer.from(body.private_key) };
  if (body.chain !== undefined) uploads.chain = Buffer.from(body.chain);
  if (!body.chains) return { uploads, fields, alternateChains: [] };
  uploads['chains.0'] = Buffer.from(body.chains[0]!);
  return {
    uploads,
    fields: { ...fields, chain: 'chains.0' },
    alternateChains: body.chains.slice(1).map((chain, index) => ({ field: `chains.${index + 1}`, file: Buffer.from(chain) })),
  };
}
