import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcmeSessions } from '../../src/commands/acme/sessions.js';
import { createAdminApp } from '../../src/http/admin-app.js';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import { openDatabase } from '../../src/infra/db/kysely.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgres.js';
import { masterKeyId } from '../../src/infra/key-vault/master-key.js';
import { createKeyVault } from '../../src/infra/key-vault/vault.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createCheckpointWatcher } from '../../src/projections/checkpoint-watcher.js';
import { catalogProjections, createProjectionSet, type ProjectionSet } from '../../src/projections/index.js';
import { openTestDatabase } from '../support/db.js';
import { form, json, listenOn, type TestServer } from '../support/app.js';
import { createTestChain } from '../support/pki.js';

/** Admin and projector as two deployments on one PostgreSQL, each with its own pool and event store. */
describe('admin without the projector role', () => {
  let projectorDb: DatabaseHandle;
  let adminDb: DatabaseHandle;
  let projector: ProjectionSet;
  let watcher: ReturnType<typeof createCheckpointWatcher>;
  let admin: TestServer;

  beforeAll(async () => {
    projectorDb = await openTestDatabase('postgres');
    const url = (projectorDb.pool!.options as { connectionString: string }).connectionString;
    adminDb = await openDatabase({ kind: 'postgres', url });
    projector = createProjectionSet({ store: createPostgresEventStore(projectorDb), db: projectorDb.db, projections: catalogProjections, logger: silentLogger });
    projector.start();
    watcher = createCheckpointWatcher(adminDb.db, catalogProjections);
    watcher.start();
    const key = randomBytes(32);
    const store = createPostgresEventStore(adminDb);
    const vault = createKeyVault(adminDb.db, { key, id: masterKeyId(key) });
    admin = await listenOn(createAdminApp({
      db: adminDb.db,
      store,
      vault,
      acme: createAcmeSessions({ store, vault, logger: silentLogger }),
      projections: watcher,
      logger: silentLogger,
      now: () => new Date(),
      adminPrefix: '/.well-known/peter_sslers',
    }));
  });
  afterAll(async () => {
    await admin?.close();
    await watcher?.stop();
    await projector?.stop();
    await adminDb?.close();
    await projectorDb?.close();
  });

  it('answers an upload once the other process has projected it, so the next read sees it', async () => {
    const chain = await createTestChain({ names: ['split.example.test'] });
    const up = await fetch(`${admin.url}/.well-known/peter_sslers/certificate-signed/upload.json`, {
      method: 'POST',
      body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
    });
    expect(up.status).toBe(200);
    const id = (await json(up)).certificate.id;
    const domain = await json(await fetch(`${admin.url}/.well-known/peter_sslers/domain/split.example.test/config.json`));
    expect(domain.certificate_signed__latest_single.id).toBe(id);
    expect((await fetch(`${admin.url}/readyz`)).status).toBe(200);
  });
});
