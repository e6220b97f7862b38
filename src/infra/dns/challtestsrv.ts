/**
 * pebble-challtestsrv's management API (tests and local runs). Its `/set-txt` appends a value
 * and `/clear-txt` drops every value of a name, so removing one value means: read what the
 * name holds (from challtestsrv's own DNS port), clear, and put the others back — not atomic,
 * which a test server can live with.
 */
import { Resolver } from 'node:dns/promises';
import { DnsProviderError, DnsUpdateRefusedError } from './errors.js';
import { postJson } from './http-post.js';
import { requireRecordName, requireTxtValue } from './names.js';
import type { DnsProvider } from './port.js';
import { formatAddress, type DnsServerAddress } from './tcp-exchange.js';

export type ChalltestsrvSettings = {
  /** e.g. http://127.0.0.1:8055 */
  managementUrl: string;
  /** Its DNS listener (`-dns01`), e.g. 127.0.0.1:8053. */
  dnsServer: DnsServerAddress;
  timeoutMs: number;
};

/** challtestsrv keys its records by lower-case FQDN. */
const fqdn = (name: string) => `${name}.`;

export function createChalltestsrvProvider(settings: ChalltestsrvSettings): DnsProvider {
  const base = settings.managementUrl.replace(/\/+$/, '');

  async function call(path: '/set-txt' | '/clear-txt', body: { host: string; value?: string }): Promise<void> {
    const answer = await postJson('challtestsrv', `${base}${path}`, body, settings.timeoutMs);
    if (answer.status >= 300) {
      throw new DnsUpdateRefusedError('challtestsrv', String(answer.status), `${path} for ${body.host} answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    }
  }

  async function currentValues(name: string): Promise<string[]> {
    const resolver = new Resolver({ timeout: settings.timeoutMs, tries: 1 });
    resolver.setServers([formatAddress(settings.dnsServer)]);
    try {
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENODATA' || code === 'ENOTFOUND') return [];
      throw new DnsProviderError('challtestsrv', code === 'ETIMEOUT' ? 'timeout' : 'unreachable',
        `reading TXT ${name} from ${formatAddress(settings.dnsServer)}: ${code ?? String(error)}`, { cause: error });
    }
  }

  return {
    kind: 'challtestsrv',
    async setTxt(recordName, value) {
      const name = requireRecordName(recordName);
      requireTxtValue(value);
      // Appending twice would leave a copy behind: setting is idempotent only if we look first.
      if (!(await currentValues(name)).includes(value)) await call('/set-txt', { host: fqdn(name), value });
      return { cleanupToken: `challtestsrv ${base}` };
    },
    async removeTxt(recordName, value) {
      const name = requireRecordName(recordName);
      const values = await currentValues(name);
      if (!values.includes(value)) return;
      await call('/clear-txt', { host: fqdn(name) });
      for (const other of values.filter((v) => v !== value)) await call('/set-txt', { host: fqdn(name), value: other });
    },
  };
}
