import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/infra/db/kysely.js';
import { loadMasterKey, masterKeyId, replaceMasterKeyFile, type MasterKey } from '../../src/infra/key-vault/master-key.js';
import { rewrapVault, vaultKeyCounts } from '../../src/infra/key-vault/rotate.js';
import { createKeyVault } from '../../src/infra/key-vault/vault.js';
import { certledger } from '../support/cli.js';
import { openTestDatabase } from '../support/db.js';
import { createTestChain } from '../support/pki.js';

const master = (key: Buffer, previous: Buffer[] = []): MasterKey => ({
  key, id: masterKeyId(key), ...(previous.length ? { previous: previous.map((k) => ({ key: k, id: masterKeyId(k) })) } : {}),
});
const der = () => randomBytes(120);

describe('master key rotation (PostgreSQL)', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase('postgres');
  });
  afterAll(async () => handle?.close());

  it('rewraps every live data key under the new master key, keeps ciphertexts, and is idempotent', async () => {
    const [k1, k2, k3] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const old = createKeyVault(handle.db, master(k1));
    const keys = new Map(Array.from({ length: 7 }, (_, i) => [`11111111-0000-4000-8000-00000000000${i}`, der()]));
    for (const [id, bytes] of keys) await old.put(id, bytes);
    await old.shred('11111111-0000-4000-8000-000000000006');
    // One entry under a key this process was never given.
    await createKeyVault(handle.db, master(k3)).put('22222222-0000-4000-8000-000000000000', der());
    const before = await handle.db.selectFrom('key_vault').select(['private_key_id', 'ciphertext']).execute();

    const ring = master(k2, [k1]);
    // Mid-rotation, a keyring reads entries under either key.
    expect(await createKeyVault(handle.db, ring).get('11111111-0000-4000-8000-000000000000')).toEqual(keys.get('11111111-0000-4000-8000-000000000000'));

    const outcome = await rewrapVault(handle.db, ring);
    expect(outcome).toEqual({ rewrapped: 6, current: 6, unknown: [{ masterKeyId: masterKeyId(k3), entries: 1 }], damaged: [] });

    // The new key alone now reads every live key, byte for byte; the old one reads none.
    const fresh = createKeyVault(handle.db, master(k2));
    for (const [id, bytes] of [...keys].slice(0, 6)) expect(await fresh.get(id)).toEqual(bytes);
    expect((await fresh.getMany([...keys.keys()])).size).toBe(6);
    await expect(createKeyVault(handle.db, master(k1)).get('11111111-0000-4000-8000-000000000001')).rejects.toThrow(/encrypted under master key/);
    await expect(fresh.get('11111111-0000-4000-8000-000000000006')).rejects.toThrow(/shredded/);

    const after = await handle.db.selectFrom('key_vault').select(['private_key_id', 'ciphertext']).execute();
    expect(after.map((r) => [r.private_key_id, Buffer.from(r.ciphertext).toString('hex')]).sort())
      .toEqual(before.map((r) => [r.private_key_id, Buffer.from(r.ciphertext).toString('hex')]).sort());

    expect(await rewrapVault(handle.db, ring)).toMatchObject({ rewrapped: 0, current: 6 });
    expect(await vaultKeyCounts(handle.db, ring)).toEqual(expect.arrayContaining([
      { masterKeyId: masterKeyId(k2), entries: 6, shredded: 0, role: 'current' },
      { masterKeyId: masterKeyId(k3), entries: 1, shredded: 0, role: 'unknown' },
    ]));
  });

  it('reports an entry whose data key does not unwrap, and moves the rest', async () => {
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    const vault = createKeyVault(handle.db, master(k1));
    await vault.put('33333333-0000-4000-8000-000000000000', der());
    await vault.put('33333333-0000-4000-8000-000000000001', der());
    await handle.db.updateTable('key_vault').set({ wrapped_data_key: randomBytes(60) }).where('private_key_id', '=', '33333333-0000-4000-8000-000000000001').execute();
    const outcome = await rewrapVault(handle.db, master(k2, [k1]));
    expect(outcome.damaged).toEqual(['33333333-0000-4000-8000-000000000001']);
    expect(outcome.rewrapped).toBe(1);
  });

  it('refuses a malformed previous key, naming it', async () => {
    await expect(loadMasterKey({ configured: randomBytes(32).toString('hex'), previous: 'nope' })).rejects.toThrow(/previous master key 1/);
  });
});

describe('certledger keys rotate --new-key (embedded data folder)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'certledger-rotate-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('replaces master.key, rewraps every key, forgets the old key, and the keys still read', async () => {
    const env = { CERTLEDGER_DATA_DIR: dir };
    const chain = await createTestChain({ names: ['rotate.example.test'] });
    await writeFile(path.join(dir, 'cert.pem'), chain.leaf.certPem);
    await writeFile(path.join(dir, 'key.pem'), chain.leaf.keyPem);
    await writeFile(path.join(dir, 'chain.pem'), chain.chainPem);
    const imported = await certledger(['import', 'cert', '--cert', path.join(dir, 'cert.pem'), '--key', path.join(dir, 'key.pem'), '--chain', path.join(dir, 'chain.pem')], env, 120_000);
    expect(imported.code, imported.stderr).toBe(0);
    const oldKey = await readFile(path.join(dir, 'master.key'), 'utf8');

    const rotated = await certledger(['--json', 'keys', 'rotate', '--new-key'], env, 120_000);
    expect(rotated.code, rotated.stderr).toBe(0);
    const outcome = JSON.parse(rotated.stdout) as { rewrapped: number; current: number; complete: boolean; master: string };
    expect(outcome).toMatchObject({ rewrapped: 1, current: 1, complete: true });
    const newKey = await readFile(path.join(dir, 'master.key'), 'utf8');
    expect(newKey).not.toBe(oldKey);
    expect((await stat(path.join(dir, 'master.key'))).mode & 0o777).toBe(0o600);
    await expect(stat(path.join(dir, 'master.key.previous'))).rejects.toThrow(/ENOENT/);

    const status = await certledger(['--json', 'keys', 'status'], env, 120_000);
    expect(JSON.parse(status.stdout)).toEqual({ master_keys: [{ masterKeyId: outcome.master, entries: 1, shredded: 0, role: 'current' }] });

    // The key itself, read with the new master key alone, is the one imported.
    const handle = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
    try {
      const vault = createKeyVault(handle.db, await loadMasterKey({ dataDir: dir }));
      const [row] = await handle.db.selectFrom('key_vault').select('private_key_id').execute();
      const pkcs8 = await vault.get(row!.private_key_id);
      expect(pkcs8).toEqual(createPrivateKey(chain.leaf.keyPem).export({ format: 'der', type: 'pkcs8' }));
    } finally {
      await handle.close();
    }
  }, 240_000);

  it('keeps the old key readable when a rotation stops right after replacing master.key', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'certledger-rotate-crash-'));
    try {
      const before = await loadMasterKey({ dataDir: folder });
      const replaced = await replaceMasterKeyFile(folder);
      const loaded = await loadMasterKey({ dataDir: folder });
      expect(loaded.id).toBe(replaced.id);
      expect(loaded.id).not.toBe(before.id);
      expect(loaded.previous?.map((k) => k.id)).toEqual([before.id]);
      expect((await stat(path.join(folder, 'master.key.previous'))).mode & 0o777).toBe(0o600);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('refuses --new-key when the master key is configured, saying what to do (exit 2)', async () => {
    const refused = await certledger(['keys', 'rotate', '--new-key'], { CERTLEDGER_DATA_DIR: dir, CERTLEDGER_MASTER_KEY: randomBytes(32).toString('hex') });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/CERTLEDGER_MASTER_KEY_PREVIOUS/);
  });
});
