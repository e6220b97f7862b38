/**
 * Fresh certificate keys for ACME orders, one per key technology. Generated off the event loop
 * (RSA 4096 takes a second or more) and returned in the same shape an uploaded key parses to.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { parsePrivateKey, type ParsedPrivateKey } from './private-key.js';

const generate = promisify(generateKeyPair);

const SPECS: Record<string, { type: 'rsa'; modulusLength: number } | { type: 'ec'; namedCurve: string }> = {
  RSA_2048: { type: 'rsa', modulusLength: 2048 },
  RSA_3072: { type: 'rsa', modulusLength: 3072 },
  RSA_4096: { type: 'rsa', modulusLength: 4096 },
  EC_P256: { type: 'ec', namedCurve: 'P-256' },
  EC_P384: { type: 'ec', namedCurve: 'P-384' },
};

export const GENERATED_KEY_TECHNOLOGIES = Object.keys(SPECS);

export async function generatePrivateKey(keyTechnology: string): Promise<ParsedPrivateKey> {
  const spec = SPECS[keyTechnology];
  if (!spec) throw new Error(`No key generator for ${keyTechnology}`);
  const { privateKey } = spec.type === 'rsa'
    ? await generate('rsa', { modulusLength: spec.modulusLength })
    : await generate('ec', { namedCurve: spec.namedCurve });
  return parsePrivateKey(privateKey.export({ type: 'pkcs8', format: 'der' }));
}
