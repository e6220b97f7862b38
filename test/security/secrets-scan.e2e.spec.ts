import { execFile } from 'node:child_process';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import { uniqueName } from '../acme/orders-support.js';
import { form } from '../support/app.js';
import { certledger } from '../support/cli.js';
import { openTestDatabase } from '../support/db.js';
import { connectPebble } from '../support/pebble.js';
import { createTestChain } from '../support/pki.js';
import { startServiceProcess, type ServiceProcess } from '../support/service.js';

const PREFIX = '/.well-known/peter_sslers';
const exec = promisify(execFile);

/**
 * What would give a private key away in a text: its secret JWK members (base64url, base64, hex),
 * and the same bytes as they appear inside the base64 of its DER encodings (PKCS#8 and the
 * traditional form): base64 runs in 3-byte groups, so only the aligned part of each member is
 * looked for. Public parts (modulus, EC point) are left out: certificates carry them on purpose.
 */
export function needlesOf(pem: string): string[] {
  const key = createPrivateKey(pem);
  const jwk = key.export({ format: 'jwk' }) as Record<string, string | undefined>;
  const traditional = key.asymmetricKeyType === 'ec' ? 'sec1' : 'pkcs1';
  const ders = [key.export({ format: 'der', type: 'pkcs8' }), key.export({ format: 'der', type: traditional as 'pkcs1' })];
  const needles: string[] = [];
  for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
    const value = jwk[member];
    if (!value) continue;
    const bytes = Buffer.from(value, 'base64url');
    needles.push(value.slice(0, 24), bytes.toString('base64').slice(0, 24), bytes.toString('hex').slice(0, 32));
    for (const der of ders) {
      const at = der.indexOf(bytes);
      if (at < 0) throw new Error(`JWK member ${member} not found in the DER`);
      const start = at + ((3 - (at % 3)) % 3);
      needles.push(der.subarray(start, start + 18).toString('base64'));
    }
  }
  return needles;
}

const MARKERS = [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, /"d"\s*:\s*"[A-Za-z0-9_-]{20,}"/];

function findings(where: string, text: string, secrets: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const marker of MARKERS) if (marker.test(text)) found.push(`${where}: matches ${marker}`);
  // PEM lines break base64 every 64 characters, as real or escaped (JSON, COPY) newlines.
  const joined = text.replace(/\\r|\\n|\r|\n/g, '');
  for (const [label, needles] of secrets) {
    for (const needle of needles) if (joined.includes(needle)) found.push(`${where}: holds ${label} (${needle.slice(0, 8)}…)`);
  }
  return found;
}

describe('private keys in clear: none in the event store, read tables, logs or exports', () => {
  const masterKey = randomBytes(32);
  let handle: DatabaseHandle;
  let url: string;
  let service: ServiceProcess;
  let admin: string;
  let dir: string;

  beforeAll(async () => {
    const pebble = connectPebble(inject('pebble'));
    handle = await openTestDatabase('postgres');
    url = (handle.pool!.options as { connectionString: string }).connectionString;
    dir = await mkdtemp(path.join(tmpdir(), 'certledger-secrets-'));
    service = await startServiceProcess({
      DATABASE_URL: url,
      CERTLEDGER_MASTER_KEY: masterKey.toString('hex'),
      CERTLEDGER_LOG_LEVEL: 'debug',
      CERTLEDGER_DNS_PROVIDER: JSON.stringify({ kind: 'challtestsrv', managementUrl: pebble.challtestsrvUrl, dnsServer: `127.0.0.1:${pebble.ports.dns}` }),
    }, dir);
    admin = service.admin;
    const server = await post('/api/v1/acme-servers', { directory_url: pebble.directoryUrl, ca_bundle_pem: pebble.caPem, is_default: true });
    expect(server.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await handle?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const post = (route: string, body: unknown) =>
    fetch(`${admin}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const getJson = async (route: string) => {
    const res = await fetch(`${admin}${route}`);
    expect(res.status, route).toBe(200);
    return res.json() as Promise<Record<string, unknown> & { items: Array<{ id: string }> }>;
  };
  const getText = async (route: string) => {
    const res = await fetch(`${admin}${route}`);
    expect(res.status, route).toBe(200);
    return res.text();
  };

  it('issues, imports, refuses bad uploads and exports, then finds no key in clear anywhere', async () => {
    // Keys the service generates: two ACME account keys, an order's certificate key.
    const accounts: string[] = [];
    for (const technology of ['EC_P256', 'RSA_2048']) {
      const res = await post('/api/v1/acme-accounts', { key_technology: technology });
      expect(res.status).toBe(201);
      accounts.push(((await res.json()) as { acme_account: { id: string } }).acme_account.id);
    }
    const order = await post('/api/v1/acme-orders', { account_id: accounts[0], domain_names_dns01: [uniqueName('secrets')], process: 'all', key_technology: 'RSA_2048' });
    expect(order.status).toBe(201);
    expect(((await order.json()) as { order: { status: string } }).order.status).toBe('valid');

    // Keys users upload (both families), and uploads that fail with a key in hand.
    const uploaded: string[] = [];
    for (const keyAlgorithm of ['EC', 'RSA'] as const) {
      const chain = await createTestChain({ names: [`${keyAlgorithm.toLowerCase()}.secrets.example.test`], keyAlgorithm });
      uploaded.push(chain.leaf.keyPem);
      const up = await fetch(`${admin}${PREFIX}/certificate-signed/upload.json`, {
        method: 'POST', body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
      });
      expect(up.status).toBe(200);
    }
    const stray = await createTestChain({ names: ['stray.secrets.example.test'] });
    const other = await createTestChain({ names: ['other.secrets.example.test'] });
    uploaded.push(stray.leaf.keyPem);
    const mismatched = await fetch(`${admin}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: stray.leaf.keyPem, certificate_file: other.leaf.certPem, chain_file: other.chainPem }),
    });
    expect(mismatched.status).toBe(400);
    const mismatchBody = await mismatched.text();
    const truncated = await fetch(`${admin}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: stray.leaf.keyPem.slice(0, 200), certificate_file: other.leaf.certPem, chain_file: other.chainPem }),
    });
    expect(truncated.status).toBe(400);
    const truncatedBody = await truncated.text();

    // Every key the service holds, read back through the admin API (the one way out, on purpose).
    const secrets = new Map<string, string[]>();
    const keys = await getJson('/api/v1/private-keys?limit=100');
    expect(keys.items.length).toBeGreaterThanOrEqual(3);
    for (const { id } of keys.items) secrets.set(`private key ${id}`, needlesOf(await getText(`/api/v1/private-keys/${id}/key.pem`)));
    for (const id of accounts) secrets.set(`account key ${id}`, needlesOf(await getText(`${PREFIX}/acme-account/${id}/key.pem`)));
    uploaded.forEach((pem, i) => secrets.set(`uploaded key ${i}`, needlesOf(pem)));
    // The scan must be able to see a key: the needles are found in the PEM they came from.
    for (const [i, pem] of uploaded.entries()) expect(findings('self', pem, new Map([['k', secrets.get(`uploaded key ${i}`)!]])).length).toBeGreaterThan(1);

    const exportFile = path.join(dir, 'backup.jsonl');
    await writeFile(path.join(dir, 'passphrase'), 'correct horse battery staple\n', { mode: 0o600 });
    const exported = await certledger(['export', exportFile, '--passphrase-file', path.join(dir, 'passphrase')], { DATABASE_URL: url, CERTLEDGER_MASTER_KEY: masterKey.toString('hex') }, 120_000);
    expect(exported.code, exported.stderr).toBe(0);

    // Everything stored (events, read tables, vault) as pg_dump writes it: bytea in hex, JSON as text.
    const dump = (await exec('pg_dump', ['--data-only', '--no-owner', url], { maxBuffer: 256 * 1024 * 1024 })).stdout;
    expect(dump).toContain('AcmeOrderCreated');

    const report = [
      ...findings('database dump', dump, secrets),
      ...findings('service logs', service.logs(), secrets),
      ...findings('export file', await readFile(exportFile, 'utf8'), secrets),
      ...findings('CLI output', exported.stdout + exported.stderr, secrets),
      ...findings('refused upload answers', mismatchBody + truncatedBody, secrets),
    ];
    console.log(`secrets scan: ${secrets.size} keys, ${[...secrets.values()].flat().length} needles over ${dump.length} bytes of database, ${service.logs().length} bytes of logs; ${report.length} findings`);
    expect(service.logs()).toContain('certificate uploaded');
    expect(report).toEqual([]);
  }, 240_000);
});
