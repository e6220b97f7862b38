import { primeDomain } from '../infra/redis/prime-writer.js';
import type { AppDeps } from './app-deps.js';
import type { CertificatePayload, DomainPayload } from './queries/config-payload.js';

const asPrime = (c: CertificatePayload) => ({
  certificateId: c.certificate.id,
  certificatePem: c.certificate.pem ?? '',
  privateKeyId: c.private_key.id,
  privateKeyPem: c.private_key.pem ?? '',
  chainId: c.chain.id,
  chainPem: c.chain.pem ?? '',
  fullchainPem: c.fullchain.pem ?? '',
});

/**
 * `?openresty=1`: the domain's certificate goes into the Redis prime on the way out, the one
 * lua-resty-peter_sslers prefers (multi, then single). A Redis outage must not fail the lookup.
 */
export async function primeDomainPayload(deps: AppDeps, payload: DomainPayload): Promise<void> {
  const chosen = payload.certificate_signed__latest_multi ?? payload.certificate_signed__latest_single;
  if (!deps.redis || !chosen || chosen.private_key.pem === undefined) return;
  try {
    await primeDomain(deps.redis, payload.domain.domain_name, asPrime(chosen), deps.redisPrime);
  } catch (error) {
    deps.logger.warn('redis write-through failed', { domain: payload.domain.domain_name, error: (error as Error).message });
  }
}
