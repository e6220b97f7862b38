/** The X.509 extensions parse.json decodes (RFC 5280 §4.2, RFC 6962 §3.3), the same for certificates and CSRs. */
// tsyringe (loaded by @peculiar/x509) needs the Reflect metadata API before it is imported.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export type ExtensionFacts = {
  basic_constraints: { ca: boolean; path_length: number | null; critical: boolean } | null;
  key_usage: { usages: string[]; critical: boolean } | null;
  extended_key_usage: { usages: string[]; critical: boolean } | null;
  subject_key_identifier: string | null;
  authority_key_identifier: string | null;
  authority_info_access: { ca_issuers: string[]; ocsp: string[] } | null;
  /** Signed certificate timestamps embedded by CT logs; null when the extension is absent. */
  sct_count: number | null;
  /** Every extension present, decoded or not. */
  all: { oid: string; critical: boolean }[];
};

const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2';

const KEY_USAGES: [x509.KeyUsageFlags, string][] = [
  [x509.KeyUsageFlags.digitalSignature, 'digitalSignature'],
  [x509.KeyUsageFlags.nonRepudiation, 'nonRepudiation'],
  [x509.KeyUsageFlags.keyEncipherment, 'keyEncipherment'],
  [x509.KeyUsageFlags.dataEncipherment, 'dataEncipherment'],
  [x509.KeyUsageFlags.keyAgreement, 'keyAgreement'],
  [x509.KeyUsageFlags.keyCertSign, 'keyCertSign'],
  [x509.KeyUsageFlags.cRLSign, 'cRLSign'],
  [x509.KeyUsageFlags.encipherOnly, 'encipherOnly'],
  [x509.KeyUsageFlags.decipherOnly, 'decipherOnly'],
];

const EKU_NAMES: Record<string, string> = Object.fromEntries(Object.entries(x509.ExtendedKeyUsage).map(([name, oid]) => [oid, name]));

const find = <T extends x509.Extension>(extensions: readonly x509.Extension[], type: abstract new (...args: never[]) => T) =>
  extensions.find((e): e is T => e instanceof type) ?? null;

export function describeExtensions(extensions: readonly x509.Extension[]): ExtensionFacts {
  const basic = find(extensions, x509.BasicConstraintsExtension);
  const keyUsage = find(extensions, x509.KeyUsagesExtension);
  const eku = find(extensions, x509.ExtendedKeyUsageExtension);
  const aia = find(extensions, x509.AuthorityInfoAccessExtension);
  const sct = extensions.find((e) => e.type === SCT_LIST_OID);
  return {
    basic_constraints: basic ? { ca: basic.ca, path_length: basic.pathLength ?? null, critical: basic.critical } : null,
    key_usage: keyUsage
      ? { usages: KEY_USAGES.filter(([flag]) => (keyUsage.usages & flag) !== 0).map(([, name]) => name), critical: keyUsage.critical }
      : null,
    extended_key_usage: eku ? { usages: eku.usages.map((u) => EKU_NAMES[String(u)] ?? String(u)), critical: eku.critical } : null,
    subject_key_identifier: find(extensions, x509.SubjectKeyIdentifierExtension)?.keyId.toLowerCase() ?? null,
    authority_key_identifier: find(extensions, x509.AuthorityKeyIdentifierExtension)?.keyId?.toLowerCase() ?? null,
    authority_info_access: aia
      ? { ca_issuers: aia.caIssuers.filter((n) => n.type === 'url').map((n) => n.value), ocsp: aia.ocsp.filter((n) => n.type === 'url').map((n) => n.value) }
      : null,
    sct_count: sct ? countScts(Buffer.from(sct.value)) : null,
    all: extensions.map((e) => ({ oid: e.type, critical: e.critical })),
  };
}

/**
 * The extension value is an OCTET STRING holding a TLS SignedCertificateTimestampList
 * (RFC 6962 §3.3): a 2-byte total length, then each SCT behind its own 2-byte length.
 * Anything malformed counts as null rather than failing the whole inspection.
 */
function countScts(value: Buffer): number | null {
  let body = value;
  if (body[0] === 0x04) {
    const first = body[1] ?? 0;
    const header = first < 0x80 ? 2 : 2 + (first & 0x7f);
    body = body.subarray(header);
  }
  if (body.length < 2) return null;
  const total = body.readUInt16BE(0);
  if (total !== body.length - 2) return null;
  let count = 0;
  for (let at = 2; at < body.length; count++) {
    if (at + 2 > body.length) return null;
    at += 2 + body.readUInt16BE(at);
    if (at > body.length) return null;
  }
  return count;
}
