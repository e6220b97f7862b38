import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { ValidationError } from '../../domain/shared/errors.js';
import { UnsupportedAccountKeyError } from '../../infra/acme/index.js';
import { parsePrivateKey } from '../../infra/x509/private-key.js';
import { X509ParseError } from '../../infra/x509/pem.js';
import { prepareAccountKey, type PreparedAccountKey } from './account-key.js';

/** Messages name the problem only: a key never reaches an error, a log or a cause. */
function refuse(field: string, error: unknown): never {
  if (error instanceof UnsupportedAccountKeyError || error instanceof X509ParseError) throw new ValidationError({ [field]: error.message });
  throw error;
}

/** PEM or DER: PKCS#8, PKCS#1 (RSA) or SEC1 (EC); RSA 2048/3072/4096 or EC P-256/P-384. */
export async function accountKeyFromPem(input: Buffer | string, field: string): Promise<PreparedAccountKey> {
  try {
    const parsed = parsePrivateKey(input);
    return await prepareAccountKey(createPrivateKey({ key: parsed.pkcs8Der, format: 'der', type: 'pkcs8' }), 'uploaded_pem');
  } catch (error) {
    return refuse(field, error);
  }
}

export type CertbotAccountFiles = { privateKey: string; regr?: string; meta?: string };
export type CertbotAccountFields = { privateKey: string; regr: string; meta: string };

export type CertbotAccount = {
  key: PreparedAccountKey;
  /** `regr.json` `uri`: the account URL at the CA certbot registered with. */
  accountUrl: string | null;
  contact: string[];
};

function parseJson(text: string | undefined, field: string): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError({ [field]: 'is not JSON' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError({ [field]: 'is not a JSON object' });
  return value as Record<string, unknown>;
}

/**
 * certbot's account folder (accounts/<server>/directory/<id>/): `private_key.json` is the private
 * JWK, `regr.json` `{"body": {...}, "uri": <account URL>}`, `meta.json` `{"creation_dt", "creation_host", …}`.
 */
export async function accountFromCertbot(files: CertbotAccountFiles, fields: CertbotAccountFields): Promise<CertbotAccount> {
  const jwk = parseJson(files.privateKey, fields.privateKey)!;
  if (typeof jwk.kty !== 'string') throw new ValidationError({ [fields.privateKey]: 'is not a JWK (no "kty")' });
  if (jwk.d === undefined) throw new ValidationError({ [fields.privateKey]: 'is a public JWK: the private key is needed' });
  const regr = parseJson(files.regr, fields.regr);
  parseJson(files.meta, fields.meta);
  let key: PreparedAccountKey;
  try {
    key = await prepareAccountKey(jwk as JsonWebKey, 'uploaded_certbot');
  } catch (error) {
    return refuse(fields.privateKey, error);
  }
  const uri = regr?.uri;
  if (uri !== undefined && (typeof uri !== 'string' || !/^https?:\/\//.test(uri))) throw new ValidationError({ [fields.regr]: '"uri" is not an account URL' });
  const body = (regr?.body ?? {}) as Record<string, unknown>;
  const contact = Array.isArray(body.contact) ? body.contact.filter((c): c is string => typeof c === 'string') : [];
  return { key, accountUrl: typeof uri === 'string' ? uri : null, contact };
}
