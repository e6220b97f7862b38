import type { KeyVault } from '../../infra/key-vault/port.js';

/**
 * The vault, with `forget` called before each shred: the key is dead in memory before the vault
 * commits, so no lookup serves it once shred resolves. Forgetting a key whose shred then fails
 * only sends its lookups to the database, which reads the vault's own answer.
 */
export const shredFirst = (vault: KeyVault, forget: (privateKeyId: string) => void): KeyVault => ({
  put: (id, der) => vault.put(id, der),
  get: (id) => vault.get(id),
  getMany: (ids) => vault.getMany(ids),
  has: (id) => vault.has(id),
  shred: async (id) => {
    forget(id);
    await vault.shred(id);
  },
});
