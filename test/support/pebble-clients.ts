/**
 * Clients for Pebble's side doors: pebble-challtestsrv's management API (mock DNS) and
 * Pebble's management interface (its issuing roots and intermediates, new at each start).
 */
import { Agent, request } from 'undici';

export type ChalltestsrvClient = {
  /** A/AAAA answers for `host` (otherwise challtestsrv answers its default, 127.0.0.1). */
  addA(host: string, addresses: string[]): Promise<void>;
  clearA(host: string): Promise<void>;
  addAaaa(host: string, addresses: string[]): Promise<void>;
  clearAaaa(host: string): Promise<void>;
  /** `host` is the full record name: `_acme-challenge.example.test`. */
  setTxt(host: string, value: string): Promise<void>;
  clearTxt(host: string): Promise<void>;
  setDefaultIpv4(ip: string): Promise<void>;
  setServfail(host: string): Promise<void>;
  clearServfail(host: string): Promise<void>;
  /** The DNS questions asked about `host` (how Pebble's VA looked). */
  dnsRequestHistory(host: string): Promise<unknown[]>;
  clearRequestHistory(host: string): Promise<void>;
};

/** challtestsrv keys its records by FQDN: `a.test` and `a.test.` must be the same name. */
const fqdn = (host: string) => (host.endsWith('.') ? host : `${host}.`).toLowerCase();

async function postJson(baseUrl: string, path: string, body: object): Promise<string> {
  const response = await request(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`challtestsrv ${path} answered ${response.statusCode}: ${text}`);
  return text;
}

export function challtestsrvClient(baseUrl: string): ChalltestsrvClient {
  const call = async (path: string, body: object) => {
    await postJson(baseUrl, path, body);
  };
  return {
    addA: (host, addresses) => call('/add-a', { host: fqdn(host), addresses }),
    clearA: (host) => call('/clear-a', { host: fqdn(host) }),
    addAaaa: (host, addresses) => call('/add-aaaa', { host: fqdn(host), addresses }),
    clearAaaa: (host) => call('/clear-aaaa', { host: fqdn(host) }),
    setTxt: (host, value) => call('/set-txt', { host: fqdn(host), value }),
    clearTxt: (host) => call('/clear-txt', { host: fqdn(host) }),
    setDefaultIpv4: (ip) => call('/set-default-ipv4', { ip }),
    setServfail: (host) => call('/set-servfail', { host: fqdn(host) }),
    clearServfail: (host) => call('/clear-servfail', { host: fqdn(host) }),
    dnsRequestHistory: async (host) => {
      const text = await postJson(baseUrl, '/dns-request-history', { host: fqdn(host) });
      return text.trim() === '' ? [] : (JSON.parse(text) as unknown[]);
    },
    clearRequestHistory: (host) => call('/clear-request-history', { host: fqdn(host), type: 'dns' }),
  };
}

/**
 * `GET {managementUrl}/{kind}/0`, `/1`, … until a 404: index 0 is the default chain's,
 * the others the alternates' (PEBBLE_ALTERNATE_ROOTS). The interface shares the ACME
 * listener's TLS certificate, so `caPem` is trusted for it.
 */
export async function fetchManagementPems(managementUrl: string, caPem: string, kind: 'roots' | 'intermediates'): Promise<string[]> {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  try {
    const pems: string[] = [];
    for (let index = 0; index < 100; index += 1) {
      const response = await request(`${managementUrl}/${kind}/${index}`, { dispatcher });
      const text = await response.body.text();
      if (response.statusCode === 404) break;
      if (response.statusCode !== 200) throw new Error(`Pebble ${kind}/${index} answered ${response.statusCode}: ${text}`);
      pems.push(text);
    }
    return pems;
  } finally {
    await dispatcher.close();
  }
}
