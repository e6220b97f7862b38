import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import { dumpReadTables } from '../projections/rebuild-support.js';
import { form } from '../support/app.js';
import { openTestDatabase } from '../support/db.js';
import { connectPebble } from '../support/pebble.js';
import { createCa, issueLeaf, type TestCa } from '../support/pki.js';
import { startServiceProcess, type ServiceProcess } from '../support/service.js';

const KILLS = Number(process.env.CRASH_KILLS ?? 50);
const PREFIX = '/.well-known/peter_sslers';

/** `deactivating`: a deactivation was sent but its answer was cut off, so either state is right. */
type Acked = { certificateId: string; name: string; deactivated: boolean; deactivating?: boolean };

/**
 * SIGKILL at random moments while uploads, marks and ACME orders (Pebble, dns-01) are in flight, then restart, KILLS times.
 * What the caller was told succeeded must be there exactly once; the read models must converge;
 * at the end a rebuild of every projection must equal the live tables.
 */
describe(`crash and restart: ${KILLS} SIGKILLs under load (PostgreSQL)`, () => {
  let handle: DatabaseHandle;
  let dir: string;
  let env: Record<string, string>;
  let ca: TestCa;
  let service: ServiceProcess | undefined;
  let accountId: string;

  beforeAll(async () => {
    handle = await openTestDatabase('postgres');
    dir = await mkdtemp(path.join(tmpdir(), 'certledger-crash-'));
    const pebble = connectPebble(inject('pebble'));
    env = {
      DATABASE_URL: (handle.pool!.options as { connectionString: string }).connectionString,
      CERTLEDGER_MASTER_KEY: randomBytes(32).toString('hex'),
      CERTLEDGER_DNS_PROVIDER: JSON.stringify({ kind: 'challtestsrv', managementUrl: pebble.challtestsrvUrl, dnsServer: `127.0.0.1:${pebble.ports.dns}` }),
    };
    ca = await createCa();
    // An ACME server and account, set up before the kills begin.
    const first = await startServiceProcess(env, dir);
    try {
      const post = (route: string, body: unknown) => fetch(`${first.admin}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/api/v1/acme-servers', { directory_url: pebble.directoryUrl, ca_bundle_pem: pebble.caPem, is_default: true })).status).toBe(201);
      accountId = ((await (await post('/api/v1/acme-accounts', {})).json()) as { acme_account: { id: string } }).acme_account.id;
    } finally {
      await first.stop();
    }
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
    await handle?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const count = async (type: string, needle: string) => Number((await sql<{ n: string }>`
    SELECT count(*) AS n FROM events WHERE event_type = ${type} AND data->>'certificateId' = ${needle}`.execute(handle.db)).rows[0]!.n);

  it('loses no acknowledged command, repeats none, and converges after every restart', async () => {
    const acked: Acked[] = [];
    const orders: { orderId: string; name: string; certificateId: string }[] = [];
    let sent = 0;
    let failedInFlight = 0;
    const startMs: number[] = [];
    for (let round = 0; round < KILLS; round++) {
      const started = performance.now();
      service = await startServiceProcess(env, dir);
      startMs.push(performance.now() - started);
      const live = service;

      // Everything acknowledged so far is there, once, as acknowledged (readiness = projections caught up).
      for (const a of acked) expect(await count('CertificateImported', a.certificateId), a.name).toBe(1);
      const rows = await handle.db.selectFrom('certificates').select(['id', 'is_active']).execute();
      const byId = new Map(rows.map((r) => [r.id, r.is_active]));
      for (const a of acked) if (!a.deactivating) expect(byId.get(a.certificateId), `${a.name} active`).toBe(!a.deactivated);
      // An order answered valid has its certificate, downloaded once, and the order's read model says so.
      for (const o of orders) {
        expect(await count('AcmeCertificateDownloaded', o.certificateId), o.name).toBe(1);
        expect(byId.get(o.certificateId), `${o.name} issued`).toBe(true);
      }

      // Every fifth round runs long enough for orders to finish before the kill (under CI load one takes seconds).
      const until = performance.now() + (round % 5 === 4 ? randomInt(5_000, 7_000) : randomInt(150, 2_000));
      const worker = async () => {
        while (performance.now() < until) {
          const target = acked.length > 0 && randomInt(4) === 0 ? acked[randomInt(acked.length)]! : undefined;
          sent += 1;
          try {
            if (randomInt(6) === 0) {
              const name = `o${round}-${sent}-${randomBytes(3).toString('hex')}.crash.test`;
              const res = await fetch(`${live.admin}/api/v1/acme-orders`, {
                method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account_id: accountId, domain_names_dns01: [name], process: 'all' }),
              });
              const body = (await res.json()) as { order?: { id: string; status: string; certificate_id?: string | null } };
              if (res.status === 201 && body.order?.status === 'valid') orders.push({ orderId: body.order.id, name, certificateId: body.order.certificate_id! });
            } else if (target && !target.deactivated) {
              target.deactivating = true;
              const res = await fetch(`${live.admin}/api/v1/certificates/${target.certificateId}/deactivate`, {
                method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: `crash round ${round}` }),
              });
              await res.arrayBuffer();
              if (res.status === 200) Object.assign(target, { deactivated: true, deactivating: false });
            } else {
              const name = `r${round}-${sent}-${randomBytes(3).toString('hex')}.crash.test`;
              const leaf = await issueLeaf(ca, { names: [name], keyAlgorithm: 'EC' });
              const res = await fetch(`${live.admin}${PREFIX}/certificate-signed/upload.json`, {
                method: 'POST', body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: ca.certPem }),
              });
              const body = (await res.json()) as { certificate?: { id: string } };
              if (res.status === 200) acked.push({ certificateId: body.certificate!.id, name, deactivated: false });
            }
          } catch {
            failedInFlight += 1; // killed mid-request: the caller was told nothing
          }
        }
      };
      const load = Promise.all([worker(), worker(), worker()]);
      await new Promise((r) => setTimeout(r, Math.max(0, until - performance.now() - randomInt(0, 30))));
      await live.kill();
      await load;
    }

    service = await startServiceProcess(env, dir);
    for (const a of acked) expect(await count('CertificateImported', a.certificateId), a.name).toBe(1);
    for (const o of orders) expect(await count('AcmeCertificateDownloaded', o.certificateId), o.name).toBe(1);
    const duplicates = await sql<{ n: string }>`SELECT count(*) AS n FROM (SELECT event_id FROM events GROUP BY event_id HAVING count(*) > 1) d`.execute(handle.db);
    expect(Number(duplicates.rows[0]!.n)).toBe(0);
    // Every import that reached the log has its key in the vault (the key is stored before the events).
    const keyless = await sql<{ n: string }>`
      SELECT count(*) AS n FROM events e WHERE e.event_type = 'CertificateImported'
         AND NOT EXISTS (SELECT 1 FROM key_vault k WHERE k.private_key_id = e.data->>'privateKeyId' AND k.wrapped_data_key IS NOT NULL)`.execute(handle.db);
    expect(Number(keyless.rows[0]!.n)).toBe(0);

    // Every order a kill interrupted, at whatever step, is carried on by the operator's next steps: none stays stuck.
    const listed = (await (await fetch(`${service.admin}/api/v1/acme-orders?limit=500`)).json()) as { items: { id: string; status: string; certificate_id: string | null }[] };
    let resumed = 0;
    const ends: string[] = [];
    for (const o of listed.items) {
      let next = o.status === 'valid' && o.certificate_id ? 'done' : 'resume';
      for (let i = 0; next !== 'done' && next !== 'failed' && i < 12; i++) {
        const res = await fetch(`${service.admin}/api/v1/acme-orders/${o.id}/process`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        next = ((await res.json()) as { next_step?: string }).next_step ?? 'failed';
        if (i === 0) resumed += 1;
      }
      ends.push(next);
    }
    const stuck = ends.filter((e) => e !== 'done' && e !== 'failed');
    expect(listed.items.length).toBeGreaterThan(0);

    const live = await dumpReadTables(handle.db);
    const rebuilt = await fetch(`${service.admin}/api/v1/projections/all/rebuild`, { method: 'POST' });
    expect(rebuilt.status, await rebuilt.clone().text()).toBe(200);
    expect(await dumpReadTables(handle.db)).toEqual(live);

    const sorted = [...startMs].sort((x, y) => x - y);
    console.log(`crash harness: ${KILLS} SIGKILLs, ${sent} commands sent, ${acked.length} uploads acknowledged (${acked.filter((a) => a.deactivated).length} then deactivated), ${orders.length} ACME orders answered valid, ${resumed} interrupted orders resumed (${ends.filter((e) => e === 'done').length} of ${ends.length} orders done, ${ends.filter((e) => e === 'failed').length} failed with the reason recorded, ${stuck.length} stuck at ${[...new Set(stuck)].join('/') || '-'}), ${failedInFlight} cut off by a kill; every acknowledged one found once; restart to ready p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms; rebuild equals live tables`);
    expect(stuck, 'orders still not done or failed after 12 process calls').toEqual([]);
    expect(orders.length, 'no ACME order was answered valid before a kill').toBeGreaterThan(0);
    expect(acked.length).toBeGreaterThan(KILLS);
    expect(failedInFlight).toBeGreaterThan(0);
  }, 900_000);
});
