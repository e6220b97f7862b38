import type { Response } from 'express';
import { NotFoundError } from '../domain/shared/errors.js';
import { splitPemBlocks } from '../infra/x509/pem.js';
import { findCertificateRecord } from './queries/certificates.js';
import { fullchainPem, privateKeyPem, type QueryDeps } from './queries/config-payload.js';

type Format = { type: string; der: boolean };

const formats: Record<string, Format> = {
  pem: { type: 'application/x-pem-file', der: false },
  'pem.txt': { type: 'text/plain; charset=utf-8', der: false },
  cer: { type: 'application/pkix-cert', der: true },
  crt: { type: 'application/x-x509-server-cert', der: true },
  der: { type: 'application/x-x509-server-cert', der: true },
  key: { type: 'application/pkcs8', der: true },
};

/** Which formats each part offers; DER only where it is one object. */
const offered: Record<string, readonly string[]> = {
  cert: ['pem', 'pem.txt', 'cer', 'crt', 'der'],
  chain: ['pem', 'pem.txt'],
  fullchain: ['pem', 'pem.txt'],
  privkey: ['pem', 'pem.txt', 'key'],
};

export function parseDownloadName(file: string): { part: string; extension: string } | null {
  const match = /^(cert|chain|fullchain|privkey)\.(pem\.txt|pem|cer|crt|der|key)$/.exec(file);
  if (!match || !offered[match[1]!]!.includes(match[2]!)) return null;
  return { part: match[1]!, extension: match[2]! };
}

export function sendPemAs(res: Response, pem: string, extension: string, filename: string): void {
  const format = formats[extension];
  if (!format) throw new NotFoundError(`No download format .${extension}`);
  res.setHeader('Content-Type', format.type);
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  if (!format.der) {
    res.send(pem);
    return;
  }
  const blocks = splitPemBlocks(pem);
  if (blocks.length !== 1) throw new NotFoundError(`${filename} holds ${blocks.length} objects: no single DER form`);
  res.send(blocks[0]!.der);
}

/** One certificate part in one format; the same for the peter_sslers and the native routes. */
export async function sendCertificateDownload(deps: QueryDeps, res: Response, certificateId: string, file: string): Promise<void> {
  const download = parseDownloadName(file);
  const record = await findCertificateRecord(deps.db, certificateId);
  if (!download || !record) throw new NotFoundError('No such certificate or download');
  if (download.part === 'privkey') res.setHeader('Cache-Control', 'no-store');
  const pem = download.part === 'cert' ? record.pem
    : download.part === 'chain' ? record.chain?.pem ?? ''
    : download.part === 'fullchain' ? fullchainPem(record)
    : await privateKeyPem(deps.vault, record.privateKeyId);
  sendPemAs(res, pem, download.extension, file);
}
