import { z } from 'zod';
import { MAX_CHAIN_PREFERENCES } from '../../domain/chain-preference/decider.js';

const MiB = 1024 * 1024;
const pem = z.string({ error: 'is required' }).min(1, 'is required').max(MiB, 'is larger than 1 MiB');

/** POST /api/v1/certificates: `chain` (one) or `chains` (the CA's default first, then its alternates); neither → built from known CAs. */
export const certificateUploadJson = z
  .strictObject({
    certificate: pem,
    private_key: pem,
    chain: pem.optional(),
    chains: z.array(pem, { error: 'must be a list of PEM chains' }).min(1, 'must hold at least one chain').max(8, 'holds more than 8 chains').optional(),
  })
  .refine((body) => body.chain === undefined || body.chains === undefined, { path: ['chains'], message: 'give either chain or chains, not both' });

export const caCertificateJson = z.strictObject({ certificate: pem });
export const caChainJson = z.strictObject({ chain: pem });

/** Lower case, colons dropped (`openssl x509 -fingerprint` prints AA:BB:…); the decider checks the form. */
const fingerprintSha1 = z.string({ error: 'must be a SHA-1 fingerprint' }).max(128, 'is too long').transform((v) => v.trim().toLowerCase().replaceAll(':', ''));

export const chainPreferencePut = z.strictObject({
  fingerprints_sha1: z
    .array(fingerprintSha1, { error: 'must be a list of SHA-1 fingerprints' })
    .max(MAX_CHAIN_PREFERENCES, `holds more than ${MAX_CHAIN_PREFERENCES} entries`),
});

/** peter_sslers `certificate-cas/preferred/*.json` forms. */
const slot = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more');
export const preferredAddForm = z.strictObject({ fingerprint_sha1: fingerprintSha1 });
export const preferredDeleteForm = z.strictObject({ slot, fingerprint_sha1: fingerprintSha1 });
export const preferredPrioritizeForm = z.strictObject({
  slot,
  fingerprint_sha1: fingerprintSha1,
  priority: z.enum(['increase', 'decrease'], { error: 'must be increase or decrease' }),
});
