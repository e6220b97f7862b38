/**
 * What certbot's renewal file means in certledger's terms: the ACME server, the account, how
 * names are proven, which key technology and key policy renewals use. Pure: no I/O.
 */
import { isKeyTechnology } from '../../domain/acme-order/key-cycle.js';
import type { RenewalIdentifier } from '../../domain/renewal-configuration/events.js';
import { configList, type ConfigObj } from '../../infra/certbot/configobj.js';

/** accounts/<host[:port]>/<path>/<id>: certbot names the folder after the directory URL without its scheme. */
export const directoryUrlOfServerPath = (serverPath: string): string => `https://${serverPath.split(/[\\/]/).join('/')}`;

/** The folder certbot would keep an account of this directory URL in. */
export function serverPathOfDirectoryUrl(directoryUrl: string): string {
  const url = new URL(directoryUrl);
  return `${url.host}${url.pathname}`.replace(/\/+$/, '');
}

/** certbot ≥ 0.x writes these in [renewalparams]; very old files had them at the top. */
export const renewalParam = (renewal: ConfigObj, key: string): string | undefined =>
  renewal.sections.renewalparams?.[key] ?? renewal.values[key];

const HTTP_AUTHENTICATORS = new Set(['webroot', 'standalone', 'nginx', 'apache']);

export type ChallengeChoice = { challengeType: 'http-01' | 'dns-01'; authenticator: string };

/**
 * webroot/standalone/nginx/apache answer http-01; the dns-* plugins (and `manual` when DNS was
 * preferred) answer dns-01. A wildcard can only be proven over DNS (RFC 8555 §8.4).
 */
export function challengeTypeOf(renewal: ConfigObj): ChallengeChoice {
  const authenticator = renewalParam(renewal, 'authenticator') ?? 'standalone';
  const preferred = configList(renewalParam(renewal, 'pref_challs')).map((c) => c.toLowerCase());
  if (authenticator.startsWith('dns-') || authenticator.startsWith('dns_')) return { challengeType: 'dns-01', authenticator };
  if (HTTP_AUTHENTICATORS.has(authenticator)) return { challengeType: 'http-01', authenticator };
  const dnsFirst = preferred.findIndex((c) => c.startsWith('dns')) >= 0
    && (preferred.findIndex((c) => c.startsWith('http')) < 0 || preferred.findIndex((c) => c.startsWith('dns')) < preferred.findIndex((c) => c.startsWith('http')));
  return { challengeType: dnsFirst ? 'dns-01' : 'http-01', authenticator };
}

export function identifiersOf(domainNames: readonly string[], challengeType: 'http-01' | 'dns-01'): RenewalIdentifier[] {
  return domainNames.map((value) => ({
    type: /^[\d.]+$|:/.test(value) ? 'ip' : 'dns',
    value,
    challengeType: value.startsWith('*.') ? 'dns-01' : challengeType,
  }));
}

/**
 * `key_type` rsa (with `rsa_key_size`) or ecdsa (with `elliptic_curve`); certbot before 2.0 wrote
 * neither and made RSA 2048 keys. Unsupported sizes fall back to the key the lineage has now.
 */
export function keyTechnologyOf(renewal: ConfigObj, currentKeyTechnology: string): string {
  const keyType = renewalParam(renewal, 'key_type');
  let technology: string;
  if (keyType === 'ecdsa') technology = renewalParam(renewal, 'elliptic_curve') === 'secp384r1' ? 'EC_P384' : 'EC_P256';
  else if (keyType === 'rsa' || keyType === undefined) technology = `RSA_${renewalParam(renewal, 'rsa_key_size') ?? '2048'}`;
  else technology = currentKeyTechnology;
  return isKeyTechnology(technology) ? technology : currentKeyTechnology;
}

/** certbot makes a new key at each renewal unless `reuse_key` is set. */
export const keyPolicyOf = (renewal: ConfigObj): string =>
  /^(true|yes|on|1)$/i.test(renewalParam(renewal, 'reuse_key') ?? '') ? 'single_use__reuse_1_year' : 'single_use';
