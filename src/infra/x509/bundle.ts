/**
 * A certificate upload (certificate + private key + chain) checked as a whole, every problem
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
  /** Issuer first, as uploaded; may end with the root. */
  chain: ParsedCertificate[];
  /** Expired certificates are accepted (history, audits) but flagged. */
  isExpired: boolean;
};

export type CertificateBundleInput = { certificate?: Buffer; privateKey?: Buffer; chain?: Buffer };
export type CertificateBundleFields = { certificate: string; privateKey: string; chain: string };

export async function parseCertificateBundle(
  input: CertificateBundleInput,
  fields: CertificateBundleFields,
  now: Date,
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
  const chain = attempt(input.chain, parseCertificates, (p) => report(fields.chain, p));

  if (certificate && privateKey && certificate.spkiSha256 !== privateKey.spkiSha256) {
    report(fields.privateKey, 'does not match the certificate');
  }
  if (chain) {
    const problem = await chainProblem(chain, certificate);
    if (problem) report(fields.chain, problem);
  }

  if (Object.keys(problems).length > 0 || !certificate || !privateKey || !chain) {
    throw new ValidationError(problems);
  }
  return { certificate, privateKey, chain, isExpired: new Date(certificate.notAfter) < now };
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
