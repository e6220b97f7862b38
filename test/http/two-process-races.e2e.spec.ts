import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPublicApp } from '../../src/http/public-app.js';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgres.js';
import { silentLogger } from '../../src/infra/logger.js';
import { createCheckpointWatcher } from '../../src/projections/checkpoint-watcher.js';
import { catalogProjections } from '../../src/projections/index.js';
import { holdPort, uniqueName } from '../acme/orders-support.js';
import { form } from '../support/app.js';
import { openTestDatabase } from '../support/db.js';
import { connectPebble } from '../support/pebble.js';
import { createTestChain } from '../support/pki.js';
import { startServiceProcess, type ServiceProcess } from '../support/service.js';

/**
 * Two certledger processes on one PostgreSQL (A with every role, B admin and public), each asked
 * the same thing at the same moment. The CA's http-01 checks are answered by a third public
 * instance on Pebble's port, from the same shared read model.
 */
describe('two processes, one PostgreSQL: the same command at once does the work once', () => {
  let handle: DatabaseHandle;
  let a: ServiceProcess;
  let b: ServiceProcess;
  let dir: string;
  let releasePort: () => Promise<void>;
  let watcher: ReturnType<typeof createCheckpointWatcher>;
  let accountId: string;

  const post = (service: ServiceProcess, route: string, body: unknown) =>
    fetch(`${service.admin}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const count = async (type: string, needle: string) => Number((await sql<{ n: string }>`
    SELECT count(*) AS n FROM events WHERE event_type = ${type} AND data::text LIKE ${`%${needle}%`}`.execute(handle.db)).rows[0]!.n);

  beforeAll(async () => {
    const pebble = connectPebble(inject('pebble'));
    handle = await openTestDatabase('postgres');
    dir = await mkdtemp(path.join(tmpdir(), 'certledger-races-'));
    const env = {
      DATABASE_URL: (handle.pool!.options as { connectionString: string }).connectionString,
      CERTLEDGER_MASTER_KEY: randomBytes(32).toString('hex'),
      CERTLEDGER_DNS_PROVIDER: JSON.stringify({ kind: 'challtestsrv', managementUrl: pebble.challtestsrvUrl, dnsServer: `127.0.0.1:${pebble.ports.dns}` }),
    };
    a = await startServiceProcess(env, dir);
    b = await startServiceProcess({ ...env, CERTLEDGER_ROLES: 'admin,public' }, dir);
    watcher = createCheckpointWatcher(handle.db, catalogProjections);
    watcher.start();
    releasePort = await holdPort(createPublicApp({ db: handle.db, store: createPostgresEventStore(handle), projections: watcher, logger: silentLogger, now: () => new Date() }), pebble.ports.httpPort);
    expect((await post(a, '/api/v1/acme-servers', { directory_url: pebble.directoryUrl, ca_bundle_pem: pebble.caPem, is_default: true })).status).toBe(201);
    accountId = ((await (await post(a, '/api/v1/acme-accounts', {})).json()) as { acme_account: { id: string } }).acme_account.id;
  }, 180_000);

  afterAll(async () => {
    await releasePort?.();
    await watcher?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await handle?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the same certificate uploaded to both at once: one certificate, one import event', async () => {
    const chain = await createTestChain({ names: ['race-upload.example.test'] });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => fetch(`${(i % 2 ? b : a).admin}/.well-known/peter_sslers/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
    })));
    const bodies = await Promise.all(answers.map(async (r) => ({ status: r.status, body: (await r.json()) as { certificate: { id: string }; private_key: { id: string } } })));
    expect(bodies.map((x) => x.status)).toEqual(Array(12).fill(200));
    expect(new Set(bodies.map((x) => x.body.certificate.id)).size).toBe(1);
    expect(await count('CertificateImported', 'race-upload.example.test')).toBe(1);
    expect(await count('PrivateKeyImported', bodies[0]!.body.private_key.id)).toBe(1);
    console.log(`race upload: 12 concurrent uploads of one certificate over 2 processes → ${new Set(bodies.map((x) => x.body.certificate.id)).size} certificate, ${await count('CertificateImported', 'race-upload.example.test')} import event`);
  });

  it('the same renewal configuration renewed by both at once: one ACME order', async () => {
    const name = uniqueName('race-renew');
    const created = await post(a, '/api/v1/renewal-configurations', { domain_names_dns01: [name], primary: { account_id: accountId } });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { renewal_configuration: { id: string } }).renewal_configuration.id;
    const answers = await Promise.all([a, b, a, b].map((service) => post(service, `/api/v1/renewal-configurations/${id}/new-order`, {})));
    const outcomes = await Promise.all(answers.map(async (r) => ({ status: r.status, body: (await r.json()) as { claimed?: boolean } })));
    expect(outcomes.every((o) => o.status < 500), JSON.stringify(outcomes)).toBe(true);
    expect(outcomes.filter((o) => o.status === 201)).toHaveLength(1);
    expect(await count('AcmeOrderCreated', name)).toBe(1);
    console.log(`race renewal: 4 concurrent renewals of one configuration over 2 processes → answers ${outcomes.map((o) => o.status).join('/')}, ${await count('AcmeOrderCreated', name)} ACME order`);
  }, 120_000);

  it('the same autocert domain asked of both at once: one ACME order', async () => {
    expect((await fetch(`${a.admin}/api/v1/system-policies/autocert`, {
      method: 'PUT', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ primary: { account_id: accountId, key_technology: 'EC_P256', key_policy: 'single_use' } }),
    })).status).toBe(200);
    const name = uniqueName('race-autocert');
    const answers = await Promise.all([a, b, a, b].map((service) => post(service, '/api/v1/autocert', { domain_name: name })));
    const outcomes = await Promise.all(answers.map(async (r) => ({ status: r.status, text: await r.text() })));
    // A request in the process running the attempt joins it (201, the same certificate); the other process is told it runs elsewhere (409).
    expect(outcomes.every((o) => o.status === 201 || o.status === 409), JSON.stringify(outcomes.map((o) => o.status))).toBe(true);
    const issued = outcomes.filter((o) => o.status === 201).map((o) => JSON.parse(o.text) as { certificate_id: string; order_id: string });
    expect(issued.length).toBeGreaterThan(0);
    expect(new Set(issued.map((x) => `${x.order_id} ${x.certificate_id}`)).size).toBe(1);
    expect(await count('AcmeOrderCreated', name)).toBe(1);
    // Once issued, either process answers it from the catalog without a new order.
    const again = await post(b, '/api/v1/autocert', { domain_name: name });
    expect(again.status).toBe(200);
    expect(await count('AcmeOrderCreated', name)).toBe(1);
    console.log(`race autocert: 4 concurrent requests for one name over 2 processes → answers ${outcomes.map((o) => o.status).join('/')}, ${await count('AcmeOrderCreated', name)} ACME order, then 200 from the catalog`);
  }, 120_000);
});
