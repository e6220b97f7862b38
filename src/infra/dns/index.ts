/** dns-01 record providers: the port, its three adapters, and the factory from validated settings. */
import { createAcmeDnsProvider } from './acme-dns.js';
import { createChalltestsrvProvider } from './challtestsrv.js';
import { parseDnsProviderConfig } from './config.js';
import type { DnsProvider } from './port.js';
import { createRfc2136Provider } from './rfc2136.js';

export type { DnsProvider, DnsProviderKind } from './port.js';
export { DnsProviderError, DnsUpdateRefusedError, type DnsProviderFailure } from './errors.js';
export { parseDnsProviderConfig, redactDnsProviderConfig, type DnsProviderConfig, type DnsProviderConfigInput } from './config.js';
export { acmeDnsCname, registerAcmeDnsAccount, createAcmeDnsProvider, type AcmeDnsAccount, type AcmeDnsRegistration } from './acme-dns.js';
export { createChalltestsrvProvider } from './challtestsrv.js';
export { createRfc2136Provider } from './rfc2136.js';

/**
 * Validates `input` (ValidationError naming each bad field) and builds its adapter. The secrets
 * live on in the adapter's closure only: the returned object shows nothing but its `kind`.
 */
export function createDnsProvider(input: unknown): DnsProvider {
  const config = parseDnsProviderConfig(input);
  switch (config.kind) {
    case 'challtestsrv':
      return createChalltestsrvProvider(config);
    case 'acme-dns':
      return createAcmeDnsProvider(config);
    case 'rfc2136':
      return createRfc2136Provider({
        server: config.server,
        zone: config.zone,
        tsig: { name: config.tsig.name, algorithm: config.tsig.algorithm, secret: Buffer.from(config.tsig.secret, 'base64') },
        ttl: config.ttl,
        timeoutMs: config.timeoutMs,
      });
    default: {
      const unknown: never = config;
      throw new TypeError(`unknown DNS provider ${String(unknown)}`);
    }
  }
}
