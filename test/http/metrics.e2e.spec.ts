import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import { uniqueName } from '../acme/orders-support.js';
import { form } from '../support/app.js';
import { openTestDatabase } from '../support/db.js';
import { connectPebble } from '../support/pebble.js';
import { createTestChain } from '../support/pki.js';
import { startServiceProcess, type ServiceProcess } from '../support/service.js';

const TOKEN = 'metrics-admin-token-for-tests';
const DAY = 86_400_000;

/** `name{labels} value` lines of the text exposition, as a map. */
const parse = (text: string) => new Map(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
  const at = l.lastIndexOf(' ');
  return [l.slice(0, at), Number(l.slice(at + 1))] as const;
}));

describe('GET /metrics (a real service process, PostgreSQL, Pebble)', () => {
  let handle: DatabaseHandle;
  let service: ServiceProcess;
  let dir: string;
  const auth = { authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    const pebble = connectPebble(inject('pebble'));
    handle = await openTestDatabase('postgres');
    dir = await mkdtemp(path.join(tmpdir(), 'certledger-metrics-'));
    service = await startServiceProcess({
      DATABASE_URL: (handle.pool!.options as { connectionString: string }).connectionString,
      CERTLEDGER_MASTER_KEY: randomBytes(32).toString('hex'),
      CERTLEDGER_ADMIN_TOKEN: TOKEN,
      CERTLEDGER_DNS_PROVIDER: JSON.stringify({ kind: 'challtestsrv', managementUrl: pebble.challtestsrvUrl, dnsServer: `127.0.0.1:${pebble.ports.dns}` }),
    }, dir);
    const post = (route: string, body: unknown) => fetch(`${service.admin}${route}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/api/v1/acme-servers', { directory_url: pebble.directoryUrl, ca_bundle_pem: pebble.caPem, is_default: true })).status).toBe(201);
    const account = await post('/api/v1/acme-accounts', {});
    const accountId = ((await account.json()) as { acme_account: { id: string } }).acme_account.id;
    const order = await post('/api/v1/acme-orders', { account_id: accountId, domain_names_dns01: [uniqueName('metrics')], process: 'all' });
    expect(order.status).toBe(201);
    for (const days of [5, 60]) {
      const chain = await createTestChain({ names: [`in${days}.metrics.example.test`], notAfter: new Date(Date.now() + days * DAY) });
      const up = await fetch(`${service.admin}/.well-known/peter_sslers/certificate-signed/upload.json`, {
        method: 'POST', headers: auth, body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
      });
      expect(up.status).toBe(200);
    }
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    await handle?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('needs the admin token', async () => {
    expect((await fetch(`${service.admin}/metrics`)).status).toBe(401);
  });

  it('reports certificates, expiry, ACME requests, projection lag and the process', async () => {
    const res = await fetch(`${service.admin}/metrics`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const m = parse(text);
    expect(m.get('certledger_certificates{state="active"}')).toBe(3);
    expect(m.get('certledger_certificates{state="revoked"}')).toBe(0);
    expect(m.get('certledger_certificates_expiring{days="0"}')).toBe(0);
    expect(m.get('certledger_certificates_expiring{days="7"}')).toBe(1);
    expect(m.get('certledger_certificates_expiring{days="90"}')).toBe(2);
    expect(m.get('certledger_acme_requests_total{request_kind="newOrder",status="201"}')).toBe(1);
    expect(m.get('certledger_acme_requests_total{request_kind="finalize",status="200"}')).toBe(1);
    expect(m.get('certledger_event_log_head')).toBeGreaterThan(10);
    for (const name of ['catalog', 'acme', 'audit']) expect(m.get(`certledger_projection_lag_events{projection="${name}"}`), name).toBeGreaterThanOrEqual(0);
    expect(m.get('certledger_renewal_configurations{state="total"}')).toBe(0);
    expect(m.get('certledger_certificates_at_risk{risk="no_renewal"}')).toBe(1);
    expect(text).toContain('certledger_process_resident_memory_bytes');
  });
});
