/**
 * A certificate upload (certificate + private key + chains) checked as a whole, every problem
 * reported against the form field that caused it so the user can fix all of them at once.
 */
import { ValidationError } from '../../domain/shared/errors.js';
import { parseCertificate, parseCertificates, type ParsedCertificate } from './certificate.js';
import { X509ParseError } from './pem.js';
import { parsePrivateKey, type ParsedPrivateKey } from './private-key.js';
import { isSignedBy } from './verify.js';

export type CertificateBundle = {
  certificate: ParsedCertificate;
  privateKey: ParsedPrivateKey;
  /** Issuer first, as uploaded; may end with the root. Empty only when the chain was optional and not given. */
  chain: ParsedCertificate[];
  /** Further chains that also sign the certificate (the CA's alternates), in the order given. */
  alternateChains: ParsedCertificate[][];
  /** Expired certificates are accepted (history, audits) but flagged. */
  isExpired: boolean;
};

export type NamedFile = { field: string; file: Buffer };
export type CertificateBundleInput = { certificate?: Buffer; privateKey?: Buffer; chain?: Buffer; alternateChains?: NamedFile[] };
export type CertificateBundleFields = { certificate: string; privateKey: string; chain: string };
export type CertificateBundleOptions = {
  /** The caller builds the chain from known CA certificates when none is given. */
  chainOptional?: boolean;
};

export async function parseCertificateBundle(
  input: CertificateBundleInput,
  fields: CertificateBundleFields,
  now: Date,
  options: CertificateBundleOptions = {},
): Promise<CertificateBundle> {
  const problems: Record<string, string> = {};
  const report = (field: string, problem: string): undefined => {
    problems[field] ??= problem;
    return undefined;
  };

  let certificate = attempt(input.certificate, parseCertificate, (p) => report(fields.certificate, p));
  if (certificate?.isCa) {
    certificate = report(fields.certificate, 'is a CA certificate; upload the server (leaf) certificate');
  }
  const privateKey = attempt(input.privateKey, parsePrivateKey, (p) => report(fields.privateKey, p));
  const chainGiven = input.chain !== undefined && input.chain.length > 0;
  const chain = options.chainOptional && !chainGiven ? [] : attempt(input.chain, parseCertificates, (p) => report(fields.chain, p));

  if (certificate && privateKey && certificate.spkiSha256 !== privateKey.spkiSha256) {
    report(fields.privateKey, 'does not match the certificate');
  }
  if (chain && chain.length > 0) {
    const problem = await chainProblem(chain, certificate);
    if (problem) report(fields.chain, problem);
  }
  const alternateChains: ParsedCertificate[][] = [];
  for (const { field, file } of input.alternateChains ?? []) {
    const alternate = attempt(file, parseCertificates, (p) => report(field, p));
    const problem = alternate ? await chainProblem(alternate, certificate) : undefined;
    if (problem) report(field, problem);
    if (alternate && !problem) alternateChains.push(alternate);
  }

  if (Object.keys(problems).length > 0 || !certificate || !privateKey || !chain) {
    throw new ValidationError(problems);
  }
  return { certificate, privateKey, chain, alternateChains, isExpired: new Date(certificate.notAfter) < now };
}

/** A CA chain on its own (issuer of some leaf first): parsed, and each element checked to be a CA signing the one before. */
export async function parseCaChain(file: Buffer | undefined, field: string): Promise<ParsedCertificate[]> {
  let problem: string | undefined;
  const chain = attempt(file, parseCertificates, (p) => {
    problem = p;
    return undefined;
  });
  problem ??= chain ? await chainProblem(chain, undefined) : undefined;
  if (problem || !chain) throw new ValidationError({ [field]: problem ?? 'is required' });
  return chain;
}

/** Parse a present, non-empty file; a parse failure becomes the field's problem. */
function attempt<T>(file: Buffer | undefined, parse: (input: Buffer) => T, fail: (problem: string) => undefined): T | undefined {
  if (!file || file.length === 0) return fail('is required');
  try {
    return parse(file);
  } catch (error) {
    if (error instanceof X509ParseError) return fail(error.message);
    throw error;
  }
}

/** Each element must be a CA and sign the one before it; the first signs the leaf (when it parsed). */
async function chainProblem(chain: ParsedCertificate[], leaf: ParsedCertificate | undefined): Promise<string | undefined> {
  if (leaf && chain[0]?.fingerprintSha256 === leaf.fingerprintSha256) {
    return 'starts with the certificate itself; upload only the CA certificates (chain.pem, not fullchain.pem)';
  }
  const notCa = chain.findIndex((element) => !element.isCa);
  if (notCa >= 0) return `certificate ${notCa + 1} of the chain is not a CA certificate`;
  if (leaf && !(await isSignedBy(leaf, chain[0]!))) {
    return 'its first certificate did not issue the uploaded certificate';
  }
  for (let i = 1; i < chain.length; i++) {
    if (!(await isSignedBy(chain[i - 1]!, chain[i]!))) {
      return `certificate ${i + 1} of the chain did not issue certificate ${i}`;
    }
  }
  return undefined;
}
