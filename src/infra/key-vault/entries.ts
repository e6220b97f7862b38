import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export type VaultEntry = { privateKeyId: string; createdAt: Date; shreddedAt: Date | null; masterKeyId: string };

/** The vault's entries by id, a page at a time (exports); no key material. */
export async function listVaultEntries(db: Kysely<Database>, afterId: string | undefined, limit: number): Promise<VaultEntry[]> {
  let query = db.selectFrom('key_vault').select(['private_key_id', 'created_at', 'shredded_at', 'master_key_id']).orderBy('private_key_id').limit(limit);
  if (afterId !== undefined) query = query.where('private_key_id', '>', afterId);
  return (await query.execute()).map((r) => ({ privateKeyId: r.private_key_id, createdAt: r.created_at, shreddedAt: r.shredded_at, masterKeyId: r.master_key_id }));
}

export async function countVaultEntries(db: Kysely<Database>): Promise<{ keys: number; shredded: number }> {
  const row = await db.selectFrom('key_vault')
    .select((eb) => [eb.fn.countAll<string>().as('keys'), eb.fn.count<string>('shredded_at').as('shredded')])
    .executeTakeFirstOrThrow();
  return { keys: Number(row.keys), shredded: Number(row.shredded) };
}

/**
 * A shredded entry as an import brings it: no data key and no ciphertext worth keeping, so the id
 * can never be stored again (KeyVault.put refuses a shredded id). Existing rows are left alone.
 */
export async function putShreddedEntry(db: Kysely<Database>, entry: { privateKeyId: string; createdAt: string; shreddedAt: string; masterKeyId: string }): Promise<void> {
  await db.insertInto('key_vault').values({
    private_key_id: entry.privateKeyId,
    wrapped_data_key: null,
    ciphertext: Buffer.alloc(0),
    master_key_id: entry.masterKeyId,
    created_at: entry.createdAt,
    shredded_at: entry.shreddedAt,
  }).onConflict((oc) => oc.column('private_key_id').doNothing()).execute();
}
