/**
 * joohoi/acme-dns: a small DNS server of its own with an HTTP API. `POST /register` hands out
 * credentials and a subdomain of the acme-dns zone; the operator points
 * `_acme-challenge.<name>` at it with a CNAME (their job: acmeDnsCname says what to create);
 * then `POST /update` sets the TXT answer.
 *
 * acme-dns keeps TWO TXT values per subdomain and every update overwrites the older one —
 * exactly enough for a wildcard and its apex — and has no delete call, so removeTxt has
 * nothing to send: stale values are replaced by the next update.
 */
import { DnsProviderError, DnsUpdateRefusedError } from './errors.js';
import { postJson, type HttpAnswer } from './http-post.js';
import { parseName, requireRecordName, requireTxtValue } from './names.js';
import type { DnsProvider } from './port.js';

/** The password is a secret: keep it in the key vault, never in events or logs. */
export type AcmeDnsAccount = { username: string; password: string; subdomain: string; fulldomain?: string; allowFrom?: string[] };

export type AcmeDnsSettings = {
  apiUrl: string;
  /** By the name being validated (no `_acme-challenge.`, no `*.`), lower-case. */
  accounts: Record<string, AcmeDnsAccount>;
  timeoutMs: number;
};

export type AcmeDnsRegistration = Required<AcmeDnsAccount>;

const errorWord = (answer: HttpAnswer): string => {
  try {
    const parsed = JSON.parse(answer.text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: fall through to the status alone
  }
  return 'error';
};

const apiBase = (apiUrl: string) => apiUrl.replace(/\/+$/, '');

/** `POST /register`, optionally limiting later updates to source networks (CIDR). */
export async function registerAcmeDnsAccount(
  apiUrl: string, options: { allowFrom?: string[]; timeoutMs?: number } = {},
): Promise<AcmeDnsRegistration> {
  const body = options.allowFrom?.length ? { allowfrom: options.allowFrom } : undefined;
  const answer = await postJson('acme-dns', `${apiBase(apiUrl)}/register`, body, options.timeoutMs ?? 10_000);
  if (answer.status !== 201) {
    throw new DnsUpdateRefusedError('acme-dns', `${answer.status} ${errorWord(answer)}`, `registration at ${apiBase(apiUrl)} answered ${answer.status} ${errorWord(answer)}`);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(answer.text) as Record<string, unknown>;
  } catch (error) {
    throw new DnsProviderError('acme-dns', 'bad_response', `registration at ${apiBase(apiUrl)} did not answer JSON`, { cause: error });
  }
  const { username, password, subdomain, fulldomain, allowfrom } = parsed;
  if (typeof username !== 'string' || typeof password !== 'string' || typeof subdomain !== 'string' || typeof fulldomain !== 'string') {
    throw new DnsProviderError('acme-dns', 'bad_response', `registration at ${apiBase(apiUrl)} lacks username, password, subdomain or fulldomain`);
  }
  const allowFrom = Array.isArray(allowfrom) ? allowfrom.filter((entry): entry is string => typeof entry === 'string') : [];
  return { username, password, subdomain, fulldomain: fulldomain.replace(/\.$/, ''), allowFrom };
}

/** The CNAME the operator must create before dns-01 for `name` can work through acme-dns. */
export function acmeDnsCname(name: string, registration: { fulldomain: string }): { recordName: string; target: string } {
  const bare = parseName(name.replace(/^\*\./, '')) ?? name;
  return { recordName: `_acme-challenge.${bare}`, target: registration.fulldomain };
}

export function createAcmeDnsProvider(settings: AcmeDnsSettings): DnsProvider {
  const base = apiBase(settings.apiUrl);

  function accountFor(recordName: string): { domain: string; account: AcmeDnsAccount } {
    const name = requireRecordName(recordName);
    const domain = name.replace(/^_acme-challenge\./, '');
    const account = settings.accounts[domain];
    if (!account) throw new DnsProviderError('acme-dns', 'unknown_name', `no acme-dns account is registered for ${domain} at ${base}`);
    return { domain, account };
  }

  return {
    kind: 'acme-dns',
    async setTxt(recordName, value) {
      const { domain, account } = accountFor(recordName);
      requireTxtValue(value);
      const answer = await postJson('acme-dns', `${base}/update`, { subdomain: account.subdomain, txt: value }, settings.timeoutMs, {
        'X-Api-User': account.username,
        'X-Api-Key': account.password,
      });
      if (answer.status !== 200) {
        const word = errorWord(answer);
        const why = answer.status === 401 ? ' (wrong credentials, subdomain, or source address not in allowfrom)' : '';
        throw new DnsUpdateRefusedError('acme-dns', `${answer.status} ${word}`, `update for ${domain} at ${base} answered ${answer.status} ${word}${why}`);
      }
      return { cleanupToken: `acme-dns ${account.fulldomain ?? account.subdomain} at ${base}` };
    },
    async removeTxt(recordName) {
      requireRecordName(recordName);
    },
  };
}
