/**
 * Private keys as uploaded: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), PEM or DER, normalised to PKCS#8.
 * Error messages name the problem only; key bytes never reach a message, a log or a cause.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { decodePemOrDer, derObjectLength, toPem, X509ParseError, type PemBlock } from './pem.js';

/** The KeyTechnology values (domain/shared/x509-facts.ts) this service accepts. */
export type PrivateKeyTechnology = `RSA_${number}` | 'EC_P256' | 'EC_P384' | 'EC_P521' | 'ED25519';

export type ParsedPrivateKey = {
  pkcs8Der: Buffer;
  pkcs8Pem: string;
  keyTechnology: PrivateKeyTechnology;
  /** SubjectPublicKeyInfo DER of the matching public key. */
  spkiDer: Buffer;
  spkiSha256: string;
};

type DerKeyType = 'pkcs8' | 'pkcs1' | 'sec1';

const ENCRYPTED = 'encrypted private keys are not supported; decrypt it first';
const LABEL_TYPES: Record<string, DerKeyType> = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
};
/** `openssl ecparam -genkey` writes the curve parameters before the key; they add nothing. */
const IGNORED_LABELS = new Set(['EC PARAMETERS']);
const CURVES: Record<string, PrivateKeyTechnology> = {
  prime256v1: 'EC_P256',
  secp384r1: 'EC_P384',
  secp521r1: 'EC_P521',
};

export function parsePrivateKey(input: Buffer | string): ParsedPrivateKey {
  const decoded = decodePemOrDer(input, 'private key');
  const key = decoded.kind === 'der' ? fromDer(decoded.der) : fromPem(decoded.blocks);
  const keyTechnology = technologyOf(key);
  const pkcs8Der = key.export({ type: 'pkcs8', format: 'der' });
  const spkiDer = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return {
    pkcs8Der,
    pkcs8Pem: toPem('PRIVATE KEY', pkcs8Der),
    keyTechnology,
    spkiDer,
    spkiSha256: createHash('sha256').update(spkiDer).digest('hex'),
  };
}

function fromPem(blocks: PemBlock[]): KeyObject {
  const keys = blocks.filter((block) => !IGNORED_LABELS.has(block.label));
  if (keys.length !== 1) throw new X509ParseError(`contains ${keys.length} PEM blocks, expected 1 private key`);
  const block = keys[0]!;
  // Legacy OpenSSL encryption: "Proc-Type: 4,ENCRYPTED" + "DEK-Info" headers on a traditional key.
  if (block.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/i.test(block.headers['Proc-Type'] ?? '')) {
    throw new X509ParseError(ENCRYPTED);
  }
  const type = LABEL_TYPES[block.label];
  if (!type) throw new X509ParseError(`a "${block.label}" PEM block is not a private key`);
  return load(block.der, [type]);
}

function fromDer(der: Buffer): KeyObject {
  if (derObjectLength(der) !== der.length) throw new X509ParseError('not a PEM or DER private key: bad DER length');
  // EncryptedPrivateKeyInfo opens with an AlgorithmIdentifier SEQUENCE; every plain form opens with an INTEGER version.
  if (isEncryptedPkcs8(der)) throw new X509ParseError(ENCRYPTED);
  return load(der, ['pkcs8', 'pkcs1', 'sec1']);
}

function isEncryptedPkcs8(der: Buffer): boolean {
  const lengthBytes = der[1]! < 0x80 ? 0 : der[1]! & 0x7f;
  return der[2 + lengthBytes] === 0x30;
}

function load(der: Buffer, types: DerKeyType[]): KeyObject {
  for (const type of types) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // Try the next encoding; OpenSSL's reasons would not help the user more than ours.
    }
  }
  throw new X509ParseError('not a PEM or DER private key (expected PKCS#8, PKCS#1 RSA or SEC1 EC)');
}

function technologyOf(key: KeyObject): PrivateKeyTechnology {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      if (details.modulusLength) return `RSA_${details.modulusLength}`;
      break;
    case 'ec': {
      const technology = CURVES[details.namedCurve ?? ''];
      if (technology) return technology;
      throw new X509ParseError(`EC curve ${details.namedCurve ?? 'unknown'} is not supported (P-256, P-384, P-521)`);
    }
    case 'ed25519':
      return 'ED25519';
  }
  throw new X509ParseError(`${key.asymmetricKeyType ?? 'unknown'} private keys are not supported`);
}
