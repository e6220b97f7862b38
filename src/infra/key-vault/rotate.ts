/**
 * Master key rotation: every data key is unwrapped with the earlier master key it is under and
 * wrapped again under the current one. Only `wrapped_data_key` and `master_key_id` change; the
 * ciphertext of each private key and the event log stay as they are.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { MasterKey } from './master-key.js';
import { seal, unseal } from './vault.js';

export type RewrapOutcome = {
  /** Entries moved to the current master key by this run. */
  rewrapped: number;
  /** Entries already under the current key (shredded ones have no data key and are not counted). */
  current: number;
  /** Entries under a master key that is neither current nor previous: left as they are. */
  unknown: { masterKeyId: string; entries: number }[];
  /** Entries whose data key did not unwrap with the key their id names (damaged): left as they are. */
  damaged: string[];
};

export type VaultKeyCounts = { masterKeyId: string; entries: number; shredded: number; role: 'current' | 'previous' | 'unknown' }[];

const BATCH = 500;

/** Idempotent and resumable: each batch commits on its own, and a re-run only touches what is left. */
export async function rewrapVault(db: Kysely<Database>, master: MasterKey): Promise<RewrapOutcome> {
  const previous = new Map((master.previous ?? []).map((k) => [k.id, k.key]));
  const damaged: string[] = [];
  let rewrapped = 0;
  if (previous.size > 0) {
    for (;;) {
      const moved = await db.transaction().execute(async (trx) => {
        const rows = await trx.selectFrom('key_vault')
          .select(['private_key_id', 'wrapped_data_key', 'master_key_id'])
          .where('master_key_id', 'in', [...previous.keys()])
          .where('wrapped_data_key', 'is not', null)
          .$if(damaged.length > 0, (q) => q.where('private_key_id', 'not in', damaged))
          .orderBy('private_key_id')
          .limit(BATCH)
          .forUpdate()
          .execute();
        for (const row of rows) {
          let dataKey: Buffer;
          try {
            dataKey = unseal(previous.get(row.master_key_id)!, Buffer.from(row.wrapped_data_key!), row.private_key_id);
          } catch {
            damaged.push(row.private_key_id);
            continue;
          }
          await trx.updateTable('key_vault')
            .set({ wrapped_data_key: seal(master.key, dataKey, row.private_key_id), master_key_id: master.id })
            .where('private_key_id', '=', row.private_key_id)
            .where('master_key_id', '=', row.master_key_id)
            .execute();
          dataKey.fill(0);
          rewrapped += 1;
        }
        return rows.length;
      });
      if (moved < BATCH) break;
    }
  }
  const counts = await vaultKeyCounts(db, master);
  return {
    rewrapped,
    current: counts.find((c) => c.role === 'current')?.entries ?? 0,
    unknown: counts.filter((c) => c.role === 'unknown' && c.entries > 0).map(({ masterKeyId, entries }) => ({ masterKeyId, entries })),
    damaged,
  };
}

/** Live entries and shredded ones per master key, and what each key is to this process. */
export async function vaultKeyCounts(db: Kysely<Database>, master: MasterKey): Promise<VaultKeyCounts> {
  const rows = await db.selectFrom('key_vault')
    .select((eb) => ['master_key_id', eb.fn.count<string>('wrapped_data_key').as('live'), eb.fn.count<string>('shredded_at').as('shredded')])
    .groupBy('master_key_id')
    .orderBy('master_key_id')
    .execute();
  const previous = new Set((master.previous ?? []).map((k) => k.id));
  return rows.map((r) => ({
    masterKeyId: r.master_key_id,
    entries: Number(r.live),
    shredded: Number(r.shredded),
    role: r.master_key_id === master.id ? 'current' : previous.has(r.master_key_id) ? 'previous' : 'unknown',
  }));
}
