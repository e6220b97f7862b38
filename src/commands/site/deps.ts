import type { KeyPolicy } from '../../domain/acme-order/key-cycle.js';
import type { AcmeOrderDeps } from '../acme-order/deps.js';

/** Site handlers order certificates and enroll them for renewal: the order machinery's deps. */
export type SiteDeps = AcmeOrderDeps;

/**
 * Who orders and renews a site's ACME certificates. Anything left out comes from the `global`
 * system policy (createRenewalConfiguration resolves it the same way).
 */
export type SiteIssuer = {
  accountId?: string;
  keyTechnology?: string;
  keyPolicy?: KeyPolicy;
  profile?: string;
  /** http-01 unless the names are served elsewhere (dns-01 needs deps.dns). */
  challengeType?: 'http-01' | 'dns-01';
};

/** A certificate with its key, as PEM: what a caller gives and what a backup carries. */
export type CertificateMaterial = {
  certificatePem: string;
  /** Issuer first; empty to build the chain from known CA certificates. */
  chainPems: string[];
  privateKeyPem: string;
};
