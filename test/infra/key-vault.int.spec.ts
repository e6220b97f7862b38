import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IllegalStateError, NotFoundError } from '../../src/domain/shared/errors.js';
import { openDatabase, type DatabaseHandle } from '../../src/infra/db/kysely.js';
import { migrateToLatest } from '../../src/infra/db/migrate.js';
import { loadMasterKey, masterKeyId, type MasterKey } from '../../src/infra/key-vault/master-key.js';
import { createKeyVault } from '../../src/infra/key-vault/vault.js';
import { ids } from '../../src/infra/ids.js';
import { createTestChain, type TestChain } from '../support/pki.js';

let handle: DatabaseHandle;
let chain: TestChain;
const master: MasterKey = { key: randomBytes(32), id: '' };
master.id = masterKeyId(master.key);

beforeAll(async () => {
  handle = await openDatabase({ kind: 'pglite' });
  await migrateToLatest(handle.db);
  chain = await createTestChain();
});
afterAll(async () => handle?.close());

const row = (id: string) => handle.db.selectFrom('key_vault').selectAll().where('private_key_id', '=', id).executeTakeFirstOrThrow();

describe('key vault', () => {
  it('round-trips a key and keeps the first entry on a repeated put', async () => {
    const vault = createKeyVault(handle.db, master);
    const id = ids.random();
    expect(await vault.has(id)).toBe(false);
    await vault.put(id, chain.leaf.keyDer);
    await vault.put(id, randomBytes(100));
    expect((await vault.get(id)).equals(chain.leaf.keyDer)).toBe(true);
    expect(await vault.has(id)).toBe(true);
  });

  it('never stores the key in clear', async () => {
    const vault = createKeyVault(handle.db, master);
    const id = ids.random();
    await vault.put(id, chain.leaf.keyDer);
    const stored = await row(id);
    const ciphertext = Buffer.from(stored.ciphertext);
    expect(ciphertext.length).toBe(12 + 16 + chain.leaf.keyDer.length);
    expect(Buffer.from(stored.wrapped_data_key!).length).toBe(12 + 16 + 32);
    // Any 16-byte window of the key would be a leak; check a spread of them.
    for (let at = 0; at + 16 <= chain.leaf.keyDer.length; at += 97) {
      expect(ciphertext.includes(chain.leaf.keyDer.subarray(at, at + 16))).toBe(false);
    }
    expect(stored.master_key_id).toBe(master.id);
  });

  it('shreds for good: get fails, has is false, put cannot bring it back', async () => {
    const vault = createKeyVault(handle.db, master);
    const id = ids.random();
    await vault.put(id, chain.leaf.keyDer);
    await vault.shred(id);
    await vault.shred(id);
    await expect(vault.get(id)).rejects.toThrow(IllegalStateError);
    await expect(vault.get(id)).rejects.toThrow(/shredded/);
    expect(await vault.has(id)).toBe(false);
    await expect(vault.put(id, chain.leaf.keyDer)).rejects.toThrow(IllegalStateError);
    const stored = await row(id);
    expect(stored.wrapped_data_key).toBeNull();
    expect(stored.shredded_at).toBeInstanceOf(Date);
  });

  it('reports unknown ids as not found', async () => {
    const vault = createKeyVault(handle.db, master);
    await expect(vault.get(ids.random())).rejects.toThrow(NotFoundError);
    await expect(vault.shred(ids.random())).rejects.toThrow(NotFoundError);
  });

  it('fails clearly under a wrong master key, never returning garbage', async () => {
    const id = ids.random();
    await createKeyVault(handle.db, master).put(id, chain.leaf.keyDer);
    const other = randomBytes(32);
    await expect(createKeyVault(handle.db, { key: other, id: masterKeyId(other) }).get(id))
      .rejects.toThrow(new RegExp(`encrypted under master key ${master.id}`));
    // Same id, different bytes (a tampered configuration): GCM authentication catches it.
    await expect(createKeyVault(handle.db, { key: other, id: master.id }).get(id)).rejects.toThrow(/cannot be decrypted/);
  });

  it('binds an entry to its id', async () => {
    const vault = createKeyVault(handle.db, master);
    const [a, b] = [ids.random(), ids.random()];
    await vault.put(a, chain.leaf.keyDer);
    const stored = await row(a);
    await handle.db.insertInto('key_vault').values({ ...stored, private_key_id: b }).execute();
    await expect(vault.get(b)).rejects.toThrow(IllegalStateError);
  });

  it('reads many keys at once, leaving out unknown, shredded and undecryptable ones', async () => {
    const vault = createKeyVault(handle.db, master);
    const [a, b, shredded, moved] = [ids.random(), ids.random(), ids.random(), ids.random()];
    await vault.put(a, chain.leaf.keyDer);
    const other = randomBytes(120);
    await vault.put(b, other);
    await vault.put(shredded, chain.leaf.keyDer);
    await vault.shred(shredded);
    await handle.db.insertInto('key_vault').values({ ...(await row(a)), private_key_id: moved }).execute();
    const found = await vault.getMany([a, b, a, shredded, moved, ids.random()]);
    expect([...found.keys()].sort()).toEqual([a, b].sort());
    expect(found.get(a)?.equals(chain.leaf.keyDer)).toBe(true);
    expect(found.get(b)?.equals(other)).toBe(true);
    expect((await vault.getMany([])).size).toBe(0);
  });
});

describe('master key', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'certledger-master-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('creates <dataDir>/master.key with mode 0600 and reuses it', async () => {
    const dataDir = join(dir, 'data');
    const first = await loadMasterKey({ dataDir });
    const file = join(dataDir, 'master.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64').equals(first.key)).toBe(true);
    expect(first.id).toMatch(/^[0-9a-f]{16}$/);
    const second = await loadMasterKey({ dataDir });
    expect(second.key.equals(first.key)).toBe(true);
    expect(second.id).toBe(first.id);
  });

  it('refuses a key file readable by group or others', async () => {
    const dataDir = join(dir, 'loose');
    await loadMasterKey({ dataDir });
    await chmod(join(dataDir, 'master.key'), 0o640);
    await expect(loadMasterKey({ dataDir })).rejects.toThrow(/mode 0640.*chmod 600/);
  });

  it('takes a configured key in base64 or hex, over the data folder', async () => {
    const key = randomBytes(32);
    const fromBase64 = await loadMasterKey({ configured: key.toString('base64'), dataDir: join(dir, 'unused') });
    const fromHex = await loadMasterKey({ configured: key.toString('hex') });
    expect(fromBase64.key.equals(key)).toBe(true);
    expect(fromHex).toEqual(fromBase64);
    await expect(stat(join(dir, 'unused'))).rejects.toThrow();
  });

  it('refuses a malformed key without echoing it, and refuses no key at all', async () => {
    const short = randomBytes(16).toString('base64');
    const error = await loadMasterKey({ configured: short }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/exactly 32 bytes/);
    expect((error as Error).message).not.toContain(short);
    await expect(loadMasterKey({})).rejects.toThrow(/No master key/);
  });
});
