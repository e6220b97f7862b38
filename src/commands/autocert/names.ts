import { nameVerdict, NO_NAME_RULES, type NameRules, type NameVerdict } from '../../domain/autocert/name-rules.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { normaliseDomainName } from '../../infra/x509/domain-names.js';

/** A DNS name as the catalog spells it; wildcards and IP addresses are not for http-01 on demand. */
export function requestedName(input: string, field = 'domain_name'): string {
  let name: string;
  try {
    name = normaliseDomainName(input);
  } catch {
    throw new ValidationError({ [field]: 'This domain_name is not valid' });
  }
  if (name.startsWith('*.') || !/[a-z]/.test(name)) throw new ValidationError({ [field]: 'This domain_name is not valid (a DNS name answered by http-01)' });
  return name;
}

export const verdictOf = (name: string, rules: NameRules | undefined): NameVerdict => nameVerdict(name, rules ?? NO_NAME_RULES);

/** Refuses a blocklisted name, or one outside the allowed patterns, before anything is read or written. */
export function assertNameAllowed(name: string, rules: NameRules | undefined, field = 'domain_name'): void {
  const verdict = verdictOf(name, rules);
  if (verdict === 'blocklisted') throw new ValidationError({ [field]: 'This domain_name has been blocklisted' });
  if (verdict === 'not_allowed') throw new ValidationError({ [field]: 'This domain_name is outside the allowed patterns' });
}
