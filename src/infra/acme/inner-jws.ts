/** JWS nested inside a request's payload: key rollover (RFC 8555 §7.3.5) and EAB (§7.3.4). */
import { FlattenedSign } from 'jose';
import { encodePayload, type AcmePublicJwk, type AcmeSigner, type FlattenedJws } from './signer.js';

/**
 * §7.3.5: the payload of the keyChange request. Signed by the NEW key with `jwk` and `url`
 * and no nonce; the outer request is then signed by the OLD key with its `kid`.
 */
export function signKeyChange(input: {
  newKey: AcmeSigner;
  oldPublicJwk: AcmePublicJwk;
  accountUrl: string;
  keyChangeUrl: string;
}): Promise<FlattenedJws> {
  return input.newKey.sign(
    { jwk: input.newKey.publicJwk, url: input.keyChangeUrl },
    { account: input.accountUrl, oldKey: input.oldPublicJwk },
  );
}

export type EabMacAlgorithm = 'HS256' | 'HS384' | 'HS512';

/** CAs hand out MAC keys base64url-encoded (§7.3.4); some paste standard base64: take both. */
export function decodeMacKey(macKey: string): Uint8Array {
  const normalised = macKey.trim().replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  if (!/^[A-Za-z0-9_-]+$/.test(normalised)) throw new Error('The EAB MAC key is not base64url');
  return new Uint8Array(Buffer.from(normalised, 'base64url'));
}

/**
 * §7.3.4: `externalAccountBinding` for newAccount — the account's public JWK, MACed with the
 * key the CA issued under `keyId`; `url` is the newAccount URL.
 */
export async function signExternalAccountBinding(input: {
  accountKey: AcmeSigner;
  keyId: string;
  macKey: string;
  url: string;
  alg?: EabMacAlgorithm;
}): Promise<FlattenedJws> {
  const jws = await new FlattenedSign(encodePayload(input.accountKey.publicJwk))
    .setProtectedHeader({ alg: input.alg ?? 'HS256', kid: input.keyId, url: input.url })
    .sign(decodeMacKey(input.macKey));
  return jws as FlattenedJws;
}
