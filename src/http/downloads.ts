import type { Response } from 'express';
import { NotFoundError } from '../domain/shared/errors.js';
import { splitPemBlocks } from '../infra/x509/pem.js';
import { findCaCertificateRow, findCaChainRow } from './queries/ca-catalog.js';
import { findCertificateRecord, type CertificateRecord } from './queries/certificates.js';
import { fullchainPem, privateKeyPem, type QueryDeps } from './queries/config-payload.js';
import { findPrivateKey } from './queries/key-catalog.js';

type Format = { type: string; der: boolean };

const formats: Record<string, Format> = {
  pem: { type: 'application/x-pem-file', der: false },
  'pem.txt': { type: 'text/plain; charset=utf-8', der: false },
  cer: { type: 'application/pkix-cert', der: true },
  crt: { type: 'application/x-x509-server-cert', der: true },
  der: { type: 'application/x-x509-server-cert', der: true },
  key: { type: 'application/pkcs8', der: true },
};

/** cert_utils' EXTENSION_TO_MIME: a CA certificate's .crt/.der are application/x-x509-ca-cert. */
const CA_CERT_TYPE = 'application/x-x509-ca-cert';

type Offered = Record<string, readonly string[]>;

/** A certificate's own files (DESIGN §5); DER only where the part is one object. */
const certificateFiles: Offered = {
  cert: ['pem', 'pem.txt', 'cer', 'crt', 'der'],
  chain: ['pem', 'pem.txt'],
  fullchain: ['pem', 'pem.txt'],
  privkey: ['pem', 'pem.txt', 'key'],
};
/** peter_sslers' names under certificate-ca/{id}, certificate-ca-chain/{id}, private-key/{id}, …/via-certificate-ca-chain/{id}. */
const caCertificateFiles: Offered = { cert: ['pem', 'pem.txt', 'cer', 'crt', 'der'] };
const caChainFiles: Offered = { chain: ['pem', 'pem.txt'] };
const privateKeyFiles: Offered = { key: ['pem', 'pem.txt', 'key'] };
const viaChainFiles: Offered = { chain: ['pem', 'pem.txt', 'cer', 'crt', 'der'], fullchain: ['pem', 'pem.txt'] };

function parseName(file: string, offered: Offered): { part: string; extension: string } | null {
  const match = /^([a-z]+)\.(pem\.txt|pem|cer|crt|der|key)$/.exec(file);
  if (!match || !offered[match[1]!]?.includes(match[2]!)) return null;
  return { part: match[1]!, extension: match[2]! };
}

export const parseDownloadName = (file: string) => parseName(file, certificateFiles);
export const isCaCertificateDownload = (file: string) => parseName(file, caCertificateFiles) !== null;
export const isCaChainDownload = (file: string) => parseName(file, caChainFiles) !== null;
export const isPrivateKeyDownload = (file: string) => parseName(file, privateKeyFiles) !== null;
export const isViaChainDownload = (file: string) => parseName(file, viaChainFiles) !== null;

export function sendPemAs(res: Response, pem: string, extension: string, filename: string, options: { caCertificate?: boolean } = {}): void {
  const format = formats[extension];
  if (!format) throw new NotFoundError(`No download format .${extension}`);
  const derType = options.caCertificate && (extension === 'crt' || extension === 'der') ? CA_CERT_TYPE : format.type;
  res.setHeader('Content-Type', derType);
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  if (!format.der) {
    res.send(pem);
    return;
  }
  const blocks = splitPemBlocks(pem);
  if (blocks.length !== 1) throw new NotFoundError(`${filename} holds ${blocks.length} objects: no single DER form`);
  res.send(blocks[0]!.der);
}

async function sendCertificatePart(deps: QueryDeps, res: Response, record: CertificateRecord, part: string, extension: string, file: string) {
  if (part === 'privkey') res.setHeader('Cache-Control', 'no-store');
  const pem = part === 'cert' ? record.pem
    : part === 'chain' ? record.chain?.pem ?? ''
    : part === 'fullchain' ? fullchainPem(record)
    : await privateKeyPem(deps.vault, record.privateKeyId);
  sendPemAs(res, pem, extension, file, { caCertificate: part === 'chain' });
}

/** One certificate part in one format; the same for the peter_sslers and the native routes. */
export async function sendCertificateDownload(deps: QueryDeps, res: Response, certificateId: string, file: string): Promise<void> {
  const download = parseDownloadName(file);
  const record = await findCertificateRecord(deps.db, certificateId);
  if (!download || !record) throw new NotFoundError('No such certificate or download');
  await sendCertificatePart(deps, res, record, download.part, download.extension, file);
}

/** The certificate served through one of its alternate chains; 404 when that chain is not linked to it. */
export async function sendViaChainDownload(deps: QueryDeps, res: Response, certificateId: string, chainId: string, file: string): Promise<void> {
  const download = parseName(file, viaChainFiles);
  const record = await findCertificateRecord(deps.db, certificateId, { caChainId: chainId });
  if (!download || !record) throw new NotFoundError('No such certificate, chain of it, or download');
  await sendCertificatePart(deps, res, record, download.part, download.extension, file);
}

export async function sendCaCertificateDownload(deps: QueryDeps, res: Response, id: string, file: string): Promise<void> {
  const download = parseName(file, caCertificateFiles);
  const row = await findCaCertificateRow(deps.db, id);
  if (!download || !row) throw new NotFoundError('No such CA certificate or download');
  sendPemAs(res, row.pem, download.extension, file, { caCertificate: true });
}

export async function sendCaChainDownload(deps: QueryDeps, res: Response, id: string, file: string): Promise<void> {
  const download = parseName(file, caChainFiles);
  const row = await findCaChainRow(deps.db, id);
  if (!download || !row) throw new NotFoundError('No such CA chain or download');
  sendPemAs(res, row.pem, download.extension, file);
}

/** Key material leaves only here (and in config.json): PKCS#8 from the vault, never cached on the way. */
export async function sendPrivateKeyDownload(deps: QueryDeps, res: Response, id: string, file: string): Promise<void> {
  const download = parseName(file, privateKeyFiles);
  const key = await findPrivateKey(deps.db, id);
  if (!download || !key) throw new NotFoundError('No such private key or download');
  res.setHeader('Cache-Control', 'no-store');
  sendPemAs(res, await privateKeyPem(deps.vault, key.id), download.extension, file);
}
