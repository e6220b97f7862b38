/**
 * Envelope encryption (DESIGN §3): each private key gets its own random data key; the key is
 * sealed under the data key and the data key under the master key, both AES-256-GCM with the
 * private key id as AAD so an entry cannot be moved to another id. Shredding drops the wrapped
 * data key, which makes the ciphertext unreadable for good.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { IllegalStateError, NotFoundError } from '../../domain/shared/errors.js';
import type { Database } from '../db/schema.js';
import type { MasterKey } from './master-key.js';
import type { KeyVault } from './port.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** iv(12) ‖ tag(16) ‖ ciphertext */
export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

/** Throws when the key, the AAD or the bytes are wrong: GCM authenticates, it never returns garbage. */
export function unseal(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed data too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

export function createKeyVault(db: Kysely<Database>, master: MasterKey): KeyVault {
  if (master.key.length !== 32) throw new Error('The master key must be 32 bytes');

  const keys = new Map([[master.id, master.key], ...(master.previous ?? []).map((k) => [k.id, k.key] as const)]);

  const find = (privateKeyId: string) =>
    db.selectFrom('key_vault').selectAll().where('private_key_id', '=', privateKeyId).executeTakeFirst();

  return {
    async put(privateKeyId, pkcs8Der) {
      const dataKey = randomBytes(32);
      const inserted = await db
        .insertInto('key_vault')
        .values({
          private_key_id: privateKeyId,
          wrapped_data_key: seal(master.key, dataKey, privateKeyId),
          ciphertext: seal(dataKey, pkcs8Der, privateKeyId),
          master_key_id: master.id,
          created_at: new Date(),
          shredded_at: null,
        })
        .onConflict((oc) => oc.column('private_key_id').doNothing())
        .returning('private_key_id')
        .executeTakeFirst();
      dataKey.fill(0);
      if (inserted) return;
      const existing = await find(privateKeyId);
      if (existing?.shredded_at) throw new IllegalStateError(`Private key ${privateKeyId} was shredded; it cannot be stored again`);
    },

    async get(privateKeyId) {
      const row = await find(privateKeyId);
      if (!row) throw new NotFoundError(`Private key ${privateKeyId} is not in the key vault`);
      if (row.shredded_at || !row.wrapped_data_key) throw new IllegalStateError(`Private key ${privateKeyId} was shredded`);
      const wrapping = keys.get(row.master_key_id);
      if (!wrapping) {
        throw new IllegalStateError(
          `Private key ${privateKeyId} is encrypted under master key ${row.master_key_id}, but master key ${master.id} is configured`,
        );
      }
      try {
        const dataKey = unseal(wrapping, Buffer.from(row.wrapped_data_key), privateKeyId);
        const pkcs8Der = unseal(dataKey, Buffer.from(row.ciphertext), privateKeyId);
        dataKey.fill(0);
        return pkcs8Der;
      } catch (error) {
        throw new IllegalStateError(`Private key ${privateKeyId} cannot be decrypted (wrong master key or damaged entry)`, { cause: error });
      }
    },

    async getMany(privateKeyIds) {
      const found = new Map<string, Buffer>();
      const ids = [...new Set(privateKeyIds)];
      if (ids.length === 0) return found;
      const rows = await db
        .selectFrom('key_vault')
        .select(['private_key_id', 'wrapped_data_key', 'ciphertext', 'master_key_id'])
        .where('private_key_id', 'in', ids)
        .where('shredded_at', 'is', null)
        .where('master_key_id', 'in', [...keys.keys()])
        .execute();
      for (const row of rows) {
        if (!row.wrapped_data_key) continue;
        try {
          const dataKey = unseal(keys.get(row.master_key_id)!, Buffer.from(row.wrapped_data_key), row.private_key_id);
          found.set(row.private_key_id, unseal(dataKey, Buffer.from(row.ciphertext), row.private_key_id));
          dataKey.fill(0);
        } catch {
          // Damaged entry: left out, as documented; `get` on it names the problem.
        }
      }
      return found;
    },

    async has(privateKeyId) {
      const row = await find(privateKeyId);
      return row !== undefined && row.shredded_at === null && row.wrapped_data_key !== null;
    },

    async shred(privateKeyId) {
      const result = await db
        .updateTable('key_vault')
        .set({ wrapped_data_key: null, shredded_at: new Date() })
        .where('private_key_id', '=', privateKeyId)
        .where('shredded_at', 'is', null)
        .executeTakeFirst();
      if (result.numUpdatedRows > 0n) return;
      if (!(await find(privateKeyId))) throw new NotFoundError(`Private key ${privateKeyId} is not in the key vault`);
    },
  };
}
