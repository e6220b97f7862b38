/**
 * Account keys and the JWS algorithm each one signs with (RFC 8555 §6.2: servers must take
 * RS256 and ES256; RFC 7518 §3.1 ties ES256/ES384 to P-256/P-384).
 */
import { createPrivateKey, generateKeyPair, KeyObject, type JsonWebKey } from 'node:crypto';
import { promisify } from 'node:util';

export type AcmeJwsAlgorithm = 'RS256' | 'ES256' | 'ES384';

export type AccountKeySpec =
  | { type: 'rsa'; bits: 2048 | 3072 | 4096 }
  | { type: 'ec'; curve: 'P-256' | 'P-384' };

/** A private key as PEM (PKCS#8, PKCS#1 or SEC1), a private JWK (certbot's `private_key.json`), or a KeyObject. */
export type AccountKeyInput = KeyObject | string | JsonWebKey;

const RSA_SIZES = [2048, 3072, 4096];
const EC_ALGORITHMS: Record<string, AcmeJwsAlgorithm> = { prime256v1: 'ES256', 'P-256': 'ES256', secp384r1: 'ES384', 'P-384': 'ES384' };

/** Never carries key material in its message. */
export class UnsupportedAccountKeyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnsupportedAccountKeyError';
  }
}

export function toPrivateKeyObject(input: AccountKeyInput): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'private') throw new UnsupportedAccountKeyError('An account key must be a private key');
    return input;
  }
  try {
    return typeof input === 'string' ? createPrivateKey(input) : createPrivateKey({ key: input, format: 'jwk' });
  } catch (error) {
    // Node's message names the format problem only; the key itself is not echoed.
    throw new UnsupportedAccountKeyError('The account key could not be read as a private key', { cause: error });
  }
}

/** RS256 for RSA 2048/3072/4096, ES256 for P-256, ES384 for P-384; anything else is refused. */
export function jwsAlgorithmFor(key: KeyObject): AcmeJwsAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if (details.modulusLength !== undefined && RSA_SIZES.includes(details.modulusLength)) return 'RS256';
    throw new UnsupportedAccountKeyError(`RSA account keys must be 2048, 3072 or 4096 bits, not ${details.modulusLength}`);
  }
  if (key.asymmetricKeyType === 'ec') {
    const alg = details.namedCurve === undefined ? undefined : EC_ALGORITHMS[details.namedCurve];
    if (alg !== undefined) return alg;
    throw new UnsupportedAccountKeyError(`EC account keys must be on P-256 or P-384, not ${details.namedCurve}`);
  }
  throw new UnsupportedAccountKeyError(`Account keys must be RSA or EC, not ${key.asymmetricKeyType}`);
}

const generate = promisify(generateKeyPair);

/** A fresh account key (off the event loop: RSA 4096 takes seconds). */
export async function generateAccountKey(spec: AccountKeySpec): Promise<KeyObject> {
  const { privateKey } = spec.type === 'rsa'
    ? await generate('rsa', { modulusLength: spec.bits })
    : await generate('ec', { namedCurve: spec.curve });
  return privateKey;
}
