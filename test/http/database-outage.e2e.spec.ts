import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import { form } from '../support/app.js';
import { openTestDatabase } from '../support/db.js';
import { createTestChain, type TestChain } from '../support/pki.js';
import { startServiceProcess, type ServiceProcess } from '../support/service.js';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay.js';

const PREFIX = '/.well-known/peter_sslers';

/** The service reaches PostgreSQL through a relay the test takes down: every connection cut, new ones refused. */
describe('PostgreSQL away and back (a real service process)', () => {
  let handle: DatabaseHandle;
  let relay: TcpRelay;
  let service: ServiceProcess;
  let dir: string;

  beforeAll(async () => {
    handle = await openTestDatabase('postgres');
    relay = await startTcpRelay(5432);
    const direct = new URL((handle.pool!.options as { connectionString: string }).connectionString);
    direct.port = String(relay.port);
    dir = await mkdtemp(path.join(tmpdir(), 'certledger-pg-outage-'));
    service = await startServiceProcess({ DATABASE_URL: direct.toString(), CERTLEDGER_MASTER_KEY: randomBytes(32).toString('hex') }, dir);
  }, 120_000);

  afterAll(async () => {
    await relay?.up().catch(() => undefined);
    await service?.stop();
    await relay?.close();
    await handle?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const upload = (chain: TestChain) => fetch(`${service.admin}${PREFIX}/certificate-signed/upload.json`, {
    method: 'POST', body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
  });
  const imports = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM events WHERE event_type = 'CertificateImported'`.execute(handle.db)).rows[0]!.n);

  it('answers 503 with a clear message while the database is away, then works again with nothing lost', async () => {
    const before = await createTestChain({ names: ['before.outage.example.test'] });
    expect((await upload(before)).status).toBe(200);

    await relay.down();
    const during = await createTestChain({ names: ['during.outage.example.test'] });
    // A service that died here would refuse the connection: its last log lines say why.
    const refused = await upload(during).catch((e: unknown) => { throw new Error(`no answer; the service's log ends: ${service.logs().slice(-2000)}`, { cause: e }); });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    const body = (await refused.json()) as { code: string; message: string };
    expect(body.code).toBe('database_unavailable');
    expect(body.message).toMatch(/database is unavailable.*retry/);
    const list = await fetch(`${service.admin}/api/v1/certificates`);
    expect(list.status).toBe(503);
    await list.arrayBuffer();
    expect((await fetch(`${service.admin}/healthz`)).status).toBe(200);
    expect(await imports()).toBe(1);

    await relay.up();
    // The same upload, retried as the answer said: stored once, and served.
    let retried: Response | undefined;
    for (let i = 0; i < 50 && retried?.status !== 200; i++) {
      if (retried) await new Promise((r) => setTimeout(r, 200));
      retried = await upload(during);
    }
    expect(retried?.status).toBe(200);
    const after = await createTestChain({ names: ['after.outage.example.test'] });
    expect((await upload(after)).status).toBe(200);
    expect(await imports()).toBe(3);
    for (const name of ['before', 'during', 'after']) {
      const res = await fetch(`${service.admin}${PREFIX}/domain/${name}.outage.example.test/config.json?idonly=1`);
      expect(res.status, name).toBe(200);
    }
    const ready = await fetch(`${service.admin}/readyz`);
    expect(ready.status).toBe(200);
  }, 120_000);
});
