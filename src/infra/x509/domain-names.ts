/**
 * One spelling per name, so the same certificate name set always maps to the same
 * unique FQDN set id (src/infra/ids.ts) however a user or a CA wrote it.
 */
import { isIP, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';

export class DomainNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DomainNameError';
  }
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * trim → lower-case → strip one trailing dot → IDN to A-label (UTS #46 via WHATWG URL);
 * IP addresses in canonical form (IPv6 compressed, no brackets); `*.` wildcards kept.
 */
export function normaliseDomainName(input: string): string {
  let name = input.trim();
  if (name === '') throw new DomainNameError('domain name is empty');
  if (name.startsWith('[') && name.endsWith(']') && isIPv6(name.slice(1, -1))) name = name.slice(1, -1);
  if (name.includes('%')) throw new DomainNameError(`"${truncate(input)}" has an IPv6 zone, which certificates cannot name`);
  if (isIP(name)) return canonicalIp(name);

  name = name.toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  const wildcard = name.startsWith('*.');
  const host = wildcard ? name.slice(2) : name;
  const ascii = domainToASCII(host);
  // The URL host parser turns "1.2.3" or "0x7f.1" into an IPv4 address; such spellings
  // are ambiguous, so only the canonical dotted form (handled above) is accepted.
  if (ascii === '' || isIP(ascii) || !isValidHostname(ascii)) {
    throw new DomainNameError(`"${truncate(input)}" is not a valid domain name`);
  }
  return wildcard ? `*.${ascii}` : ascii;
}

function isValidHostname(ascii: string): boolean {
  if (ascii.length > 253) return false;
  const labels = ascii.split('.');
  return labels.length >= 1 && labels.every((label) => LABEL.test(label));
}

/** The WHATWG serialiser gives the RFC 5952 form for IPv6 and dotted decimal for IPv4. */
function canonicalIp(ip: string): string {
  const host = new URL(`http://${isIPv6(ip) ? `[${ip}]` : ip}/`).hostname;
  return isIPv6(ip) ? host.slice(1, -1) : host;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Sorted, de-duplicated, normalised: the natural key of a unique FQDN set. */
export function uniqueFqdnSet(names: readonly string[]): string[] {
  return [...new Set(names.map(normaliseDomainName))].sort();
}
