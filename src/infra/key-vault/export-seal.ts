/**
 * Private keys in an export (certledger export / import-events): each PKCS#8 DER sealed with
 * AES-256-GCM under a key derived from the operator's passphrase with scrypt, never under the
 * master key and never in clear. The salt and a check value travel in the export's header, so a
 * wrong passphrase is named before anything is written.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';

export type ExportKdf = { name: 'scrypt'; salt: string; N: number; r: number; p: number; check: string };

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const CHECK_TEXT = 'certledger export passphrase check';
const DEFAULTS = { N: 2 ** 15, r: 8, p: 1 };
export const MIN_PASSPHRASE_LENGTH = 8;

export class WrongPassphraseError extends Error {
  constructor() {
    super('wrong passphrase: the export\'s keys cannot be decrypted with it');
    this.name = 'WrongPassphraseError';
  }
}

function derive(passphrase: string, salt: Buffer, { N, r, p }: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) => scryptCallback(passphrase.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))));
}

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed entry too short');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

const aadOf = (privateKeyId: string) => `certledger-export-key:${privateKeyId}`;

export type ExportSealer = { kdf: ExportKdf; seal: (privateKeyId: string, pkcs8Der: Buffer) => string; destroy: () => void };
export type ExportOpener = { open: (privateKeyId: string, sealed: string) => Buffer; destroy: () => void };

export async function createExportSealer(passphrase: string): Promise<ExportSealer> {
  const salt = randomBytes(16);
  const key = await derive(passphrase, salt, DEFAULTS);
  return {
    kdf: { name: 'scrypt', salt: salt.toString('base64'), ...DEFAULTS, check: seal(key, Buffer.from(CHECK_TEXT), 'check') },
    seal: (privateKeyId, pkcs8Der) => seal(key, pkcs8Der, aadOf(privateKeyId)),
    destroy: () => key.fill(0),
  };
}

/** Throws WrongPassphraseError when the header's check value does not open. */
export async function createExportOpener(passphrase: string, kdf: ExportKdf): Promise<ExportOpener> {
  if (kdf.name !== 'scrypt' || ![kdf.N, kdf.r, kdf.p].every((v) => Number.isInteger(v) && v > 0) || kdf.N > 2 ** 20) {
    throw new Error('the export header names a key derivation this version does not read');
  }
  const key = await derive(passphrase, Buffer.from(kdf.salt, 'base64'), kdf);
  try {
    if (open(key, kdf.check, 'check').toString() !== CHECK_TEXT) throw new WrongPassphraseError();
  } catch {
    key.fill(0);
    throw new WrongPassphraseError();
  }
  return {
    open: (privateKeyId, sealed) => open(key, sealed, aadOf(privateKeyId)),
    destroy: () => key.fill(0),
  };
}
