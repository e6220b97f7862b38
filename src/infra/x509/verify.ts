/** Did `issuer` issue `cert`? Names must match and the signature must verify under the issuer's key. */
// tsyringe (loaded by @peculiar/x509) needs the Reflect metadata API before it is imported.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import type { ParsedCertificate } from './certificate.js';

/**
 * Issuer DN compared as RFC 4514 strings, case-insensitively (RFC 5280 §7.1 caseIgnoreMatch),
 * so a PrintableString and a UTF8String spelling of one name still match.
 * Validity dates are deliberately not checked: expired chains are imported and reported, not refused.
 */
export async function isSignedBy(cert: ParsedCertificate, issuer: ParsedCertificate): Promise<boolean> {
  if (cert.issuer.toLowerCase() !== issuer.subject.toLowerCase()) return false;
  try {
    return await cert.x509.verify({ publicKey: issuer.x509.publicKey, signatureOnly: true }, webcrypto as never);
  } catch {
    // An algorithm WebCrypto cannot verify proves nothing either way; without proof it is not "signed by".
    return false;
  }
}
