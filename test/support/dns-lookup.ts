/** Reading TXT records straight from one DNS server (BIND, challtestsrv) on a loopback port. */
import { Resolver } from 'node:dns/promises';

export type DnsServerAddress = { host: string; port: number };

/** The TXT values at `name` (each record's strings joined), sorted; [] when there are none. */
export async function resolveTxtAt(server: DnsServerAddress, name: string): Promise<string[]> {
  // A fresh resolver per look-up: nothing cached between a change and the check of it.
  const resolver = new Resolver({ timeout: 1_000, tries: 2 });
  resolver.setServers([`${server.host}:${server.port}`]);
  try {
    return (await resolver.resolveTxt(name)).map((chunks) => chunks.join('')).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENODATA' || code === 'ENOTFOUND') return [];
    throw error;
  }
}

/** Whether `server` answers for `zone` (its SOA): the zone is loaded. */
export async function answersSoa(server: DnsServerAddress, zone: string, timeoutMs = 250): Promise<boolean> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([`${server.host}:${server.port}`]);
  try {
    await resolver.resolveSoa(zone);
    return true;
  } catch {
    return false;
  }
}
