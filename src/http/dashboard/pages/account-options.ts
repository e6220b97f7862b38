/**
 * Accounts and servers as `<select>` options for the forms that pick one (renewal
 * configurations, the domain queue, sites): the same list queries as the API, labelled for people.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../infra/db/schema.js';
import { listAcmeAccounts, listAcmeServers, type AcmeAccountRow, type AcmeServerRow } from '../../queries/acme-accounts.js';

/** What a person recognises an account by: its first contact, its server and key. */
export function accountLabel(account: Pick<AcmeAccountRow, 'id' | 'contact' | 'key_technology' | 'acme_server_id'>, servers: readonly AcmeServerRow[]): string {
  const server = servers.find((s) => s.id === account.acme_server_id)?.name ?? 'unknown server';
  const contact = account.contact[0]?.replace(/^mailto:/, '') ?? 'no contact';
  return `${contact} · ${server} · ${account.key_technology} · ${account.id.slice(0, 8)}`;
}

/** Usable accounts (registered, not deactivated), first the `blank` choice when given. */
export async function accountOptions(db: Kysely<Database>, blank?: string): Promise<[string, string][]> {
  const [servers, accounts] = await Promise.all([listAcmeServers(db), listAcmeAccounts(db, { status: 'valid' }, { limit: 500, offset: 0 })]);
  const options = accounts.items.map((a): [string, string] => [a.id, accountLabel(a, servers)]);
  return blank === undefined ? options : [['', blank], ...options];
}

export async function serverOptions(db: Kysely<Database>): Promise<[string, string][]> {
  return (await listAcmeServers(db)).map((s) => [s.id, `${s.name}${s.is_default ? ' (default)' : ''} · ${s.directory_url}`]);
}
