/**
 * Which names certledger may obtain certificates for on request (autocert, certificate-if-needed,
 * the domain queue): decided from configuration alone, before any storage or ACME work.
 * Patterns are globs on the whole normalised name: `*` is any run of characters (dots included),
 * `?` one character; `*.example.com` covers the subdomains of example.com, not example.com itself.
 */
export type NameRules = {
  /** Never: refused even when an allow pattern matches. */
  blocklist: readonly string[];
  /** Only these; empty allows every name not blocklisted. */
  allow: readonly string[];
};

export type NameVerdict = 'allowed' | 'blocklisted' | 'not_allowed';

export const NO_NAME_RULES: NameRules = { blocklist: [], allow: [] };

const escape = (text: string) => text.replace(/[.+^${}()|[\]\\]/g, '\\$&');

export function globMatches(pattern: string, name: string): boolean {
  const source = pattern.trim().toLowerCase().split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escape(c))).join('');
  return new RegExp(`^${source}$`).test(name.toLowerCase());
}

export function nameVerdict(name: string, rules: NameRules): NameVerdict {
  if (rules.blocklist.some((pattern) => globMatches(pattern, name))) return 'blocklisted';
  if (rules.allow.length > 0 && !rules.allow.some((pattern) => globMatches(pattern, name))) return 'not_allowed';
  return 'allowed';
}

/** `a, b,,c` → [a, b, c]: the CERTLEDGER_AUTOCERT_BLOCKLIST / _ALLOW format. */
export const parsePatternList = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
