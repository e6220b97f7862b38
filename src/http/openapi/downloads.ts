import type { Operation, Parameter } from './types.js';
import { errors } from './types.js';

/** Content types as src/http/downloads.ts sends them. */
const TYPES: Record<string, string> = {
  pem: 'application/x-pem-file',
  'pem.txt': 'text/plain; charset=utf-8',
  cer: 'application/pkix-cert',
  crt: 'application/x-x509-server-cert',
  der: 'application/x-x509-server-cert',
  key: 'application/pkcs8',
};
const CA_TYPE = 'application/x-x509-ca-cert';

/** `part.extension` names offered, e.g. `{cert: ['pem', 'der']}` → cert.pem, cert.der. */
export type Offered = Record<string, readonly string[]>;

export const CERTIFICATE_FILES: Offered = { cert: ['pem', 'pem.txt', 'cer', 'crt', 'der'], chain: ['pem', 'pem.txt'], fullchain: ['pem', 'pem.txt'], privkey: ['pem', 'pem.txt', 'key'] };
export const CA_CERTIFICATE_FILES: Offered = { cert: ['pem', 'pem.txt', 'cer', 'crt', 'der'] };
export const CA_CHAIN_FILES: Offered = { chain: ['pem', 'pem.txt'] };
export const PRIVATE_KEY_FILES: Offered = { key: ['pem', 'pem.txt', 'key'] };
export const VIA_CHAIN_FILES: Offered = { chain: ['pem', 'pem.txt', 'cer', 'crt', 'der'], fullchain: ['pem', 'pem.txt'] };
export const CSR_FILES: Offered = { csr: ['pem', 'pem.txt', 'der'] };

const names = (offered: Offered) => Object.entries(offered).flatMap(([part, extensions]) => extensions.map((e) => `${part}.${e}`));

export const fileParameter = (offered: Offered): Parameter => ({
  name: 'file', in: 'path', required: true, description: 'The file: part and format', schema: { type: 'string', enum: names(offered) },
});

/**
 * One download route: every file name it serves and the content type of each (DER only where the
 * part is one object; a CA certificate's .crt/.der are application/x-x509-ca-cert).
 */
export function download(summary: string, tags: string[], offered: Offered, options: { caTypes?: boolean; types?: Record<string, string>; note?: string } = {}): Operation {
  const typeOf = (extension: string) => options.types?.[extension] ?? (options.caTypes && (extension === 'crt' || extension === 'der') ? CA_TYPE : TYPES[extension]!);
  const list = Object.entries(offered).flatMap(([part, extensions]) => extensions.map((extension) => `\`${part}.${extension}\` (${typeOf(extension)})`));
  const content: Record<string, { schema: { type: 'string'; contentMediaType?: string } }> = {};
  for (const extension of new Set(Object.values(offered).flat())) {
    const type = typeOf(extension);
    content[type] = { schema: { type: 'string', ...(type.startsWith('text/') || type === 'application/x-pem-file' ? {} : { contentMediaType: type }) } };
  }
  return {
    summary,
    description: `Files: ${list.join(', ')}. Sent with \`Content-Disposition: attachment\`.${options.note ? ` ${options.note}` : ''}`,
    tags,
    parameters: [fileParameter(offered)],
    responses: { '200': { description: 'The file', content }, ...errors(404, 409) },
  };
}
