/**
 * JWS for ACME requests (RFC 8555 §6.2): flattened JSON serialization (RFC 7515 §7.2.2),
 * protected header with `alg`, `nonce`, `url` and exactly one of `jwk` / `kid`. jose does
 * the signing; this file only decides what goes in the header.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, FlattenedSign, type FlattenedJWS } from 'jose';
import { jwsAlgorithmFor, toPrivateKeyObject, type AccountKeyInput, type AcmeJwsAlgorithm } from './account-key.js';

/** The public members only: RFC 7638 §3.2 for RSA (`e`, `n`) and EC (`crv`, `x`, `y`). */
export type AcmePublicJwk =
  | { kty: 'RSA'; e: string; n: string }
  | { kty: 'EC'; crv: string; x: string; y: string };

export type FlattenedJws = FlattenedJWS & { protected: string };

/** `''` is POST-as-GET (§6.3): an empty payload, not `""` JSON. Objects are JSON-encoded. */
export type AcmePayload = '' | object;

export type AcmeSigner = {
  readonly alg: AcmeJwsAlgorithm;
  readonly publicJwk: AcmePublicJwk;
  /** RFC 7638 SHA-256 thumbprint, base64url: the account part of key authorizations (§8.1). */
  readonly thumbprint: string;
  /** The account URL once known; without it requests carry `jwk` (newAccount, revokeCert by certificate key). */
  readonly kid: string | undefined;
  withKid(accountUrl: string): AcmeSigner;
  /** The outer JWS of a request (§6.2). */
  signRequest(input: { url: string; nonce: string; payload: AcmePayload }): Promise<FlattenedJws>;
  /** A JWS with exactly these protected members plus `alg` — for inner JWS (§7.3.5). */
  sign(header: Record<string, unknown>, payload: AcmePayload): Promise<FlattenedJws>;
};

export function publicJwkOf(key: KeyObject): AcmePublicJwk {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  if (jwk.kty === 'RSA' && jwk.e && jwk.n) return { kty: 'RSA', e: jwk.e, n: jwk.n };
  if (jwk.kty === 'EC' && jwk.crv && jwk.x && jwk.y) return { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
  throw new Error(`No public JWK for a ${jwk.kty} key`);
}

export function jwkThumbprint(jwk: AcmePublicJwk): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256');
}

export function encodePayload(payload: AcmePayload): Uint8Array {
  return new TextEncoder().encode(payload === '' ? '' : JSON.stringify(payload));
}

async function signWith(key: KeyObject, alg: AcmeJwsAlgorithm, header: Record<string, unknown>, payload: AcmePayload): Promise<FlattenedJws> {
  return (await new FlattenedSign(encodePayload(payload)).setProtectedHeader({ ...header, alg }).sign(key)) as FlattenedJws;
}

function signerFor(key: KeyObject, alg: AcmeJwsAlgorithm, publicJwk: AcmePublicJwk, thumbprint: string, kid: string | undefined): AcmeSigner {
  return {
    alg,
    publicJwk,
    thumbprint,
    kid,
    withKid: (accountUrl) => signerFor(key, alg, publicJwk, thumbprint, accountUrl),
    signRequest: ({ url, nonce, payload }) =>
      signWith(key, alg, kid === undefined ? { jwk: publicJwk, nonce, url } : { kid, nonce, url }, payload),
    sign: (header, payload) => signWith(key, alg, header, payload),
  };
}

/** A signer for an account key; the algorithm follows the key (see `jwsAlgorithmFor`). */
export async function createAcmeSigner(input: AccountKeyInput, options: { kid?: string } = {}): Promise<AcmeSigner> {
  const key = toPrivateKeyObject(input);
  const alg = jwsAlgorithmFor(key);
  const publicJwk = publicJwkOf(key);
  return signerFor(key, alg, publicJwk, await jwkThumbprint(publicJwk), options.kid);
}
