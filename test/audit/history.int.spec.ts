/**
 * The audit on PGlite: the history of a domain after an upload, a second upload, certificate and
 * domain marks; the events API's filters, pages and 400s. Event data never holds a private key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createTestChain, type TestChain } from '../support/pki.js';

const PREFIX = '/.well-known/peter_sslers';
let stack: TestStack;
const chains: TestChain[] = [];
const certificateIds: string[] = [];

const api = (path: string, body?: unknown) => fetch(`${stack.admin.url}/api/v1${path}`, body === undefined ? {} : {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});
type Item = { position: string; id: string; stream: string; revision: string; type: string; created_at: string; data: Record<string, unknown>; metadata: Record<string, unknown> };

async function current(): Promise<void> {
  await stack.projectionSet.waitFor(await stack.deps.store.headPosition());
}

/** Every page of a listing, following next_after. */
async function all(path: string): Promise<Item[]> {
  const items: Item[] = [];
  let after: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await api(`${path}${after === null ? '' : `${sep}after=${after}`}`);
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    items.push(...body.items);
    after = body.next_after;
  } while (after !== null);
  return items;
}

beforeAll(async () => {
  stack = await startTestStack('pglite');
  for (const names of [['a.audit.test', 'b.audit.test'], ['a.audit.test'], ['c.audit.test']]) {
    const chain = await createTestChain({ names });
    chains.push(chain);
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    certificateIds.push(body.certificate.id);
  }
  expect((await api(`/certificates/${certificateIds[0]}/deactivate`, { reason: 'superseded', actor: 'alice' })).status).toBe(200);
  expect((await api('/domains/c.audit.test/deactivate', { reason: 'gone' })).status).toBe(200);
  await current();
});
afterAll(async () => stack?.close());

describe('history of a domain', () => {
  it('lists every event that touched it, in order: imports (key, CA, chain, certificate), links and marks', async () => {
    const items = await all('/domains/A.Audit.Test/history?limit=2');
    const positions = items.map((i) => BigInt(i.position));
    expect(positions).toEqual([...positions].sort((x, y) => (x < y ? -1 : 1)));
    // Exactly the events on the streams of its certificates and their keys: none of c's.
    const streams = new Set([
      `certificate-${certificateIds[0]}`, `certificate-${certificateIds[1]}`,
      ...[0, 1].map((i) => items.find((e) => e.type === 'CertificateImported' && e.data.certificateId === certificateIds[i])!.data.privateKeyId).map((k) => `privateKey-${k}`),
    ]);
    const expected = (await stack.deps.store.readAll({ maxCount: 10_000 })).filter((e) => streams.has(e.streamName)).map((e) => e.id);
    expect(items.map((i) => i.id)).toEqual(expected);
    expect(items.map((i) => i.type)).toEqual(expect.arrayContaining(['PrivateKeyImported', 'CertificateImported', 'CertificateChainLinked', 'CertificateDeactivated']));
    const mark = items.find((i) => i.type === 'CertificateDeactivated')!;
    expect(mark.data).toMatchObject({ certificateId: certificateIds[0], reason: 'superseded', actor: 'api:alice' });
    expect(mark.stream).toBe(`certificate-${certificateIds[0]}`);
  });

  it('shows a domain mark on that domain only, and the domain imports before it', async () => {
    const c = await all('/domains/c.audit.test/history');
    expect(c.map((i) => i.type).at(-1)).toBe('DomainDeactivated');
    expect(c.map((i) => i.type)).toContain('CertificateImported');
    const b = await all('/domains/b.audit.test/history');
    expect(b.some((i) => i.type === 'DomainDeactivated')).toBe(false);
    expect(b.map((i) => i.type)).toContain('CertificateDeactivated');
  });

  it('never shows key material: no PEM private key and no key DER in any event', async () => {
    const everything = JSON.stringify(await all('/events?limit=500'));
    expect(everything).not.toMatch(/PRIVATE KEY/);
    for (const chain of chains) {
      const der = chain.leaf.keyDer;
      for (const encoded of [der.toString('base64'), der.toString('base64url'), der.toString('hex')]) expect(everything).not.toContain(encoded.slice(40, 120));
    }
  });

  it('answers 404 for a name nothing touched and 400 naming the field for a bad one', async () => {
    const missing = await api('/domains/nothing.audit.test/history');
    expect(missing.status).toBe(404);
    const bad = await api('/domains/bad_name!/history');
    expect(bad.status).toBe(400);
    expect((await json(bad)).form_errors).toHaveProperty('domain');
    const badAfter = await api('/domains/a.audit.test/history?after=-1');
    expect((await json(badAfter)).form_errors).toHaveProperty('after');
  });
});

describe('GET /api/v1/events', () => {
  it('pages through the whole log in order, the same as the store', async () => {
    const items = await all('/events?limit=3');
    const stored = await stack.deps.store.readAll({ maxCount: 10_000 });
    expect(items.map((i) => i.id)).toEqual(stored.map((e) => e.id));
    expect(items[0]).toEqual({
      position: stored[0]!.position.toString(), id: stored[0]!.id, stream: stored[0]!.streamName, revision: '0', type: stored[0]!.type,
      created_at: stored[0]!.createdAt, data: stored[0]!.data, metadata: stored[0]!.metadata,
    });
    const first = await json(await api('/events?limit=3'));
    expect(first.items).toHaveLength(3);
    expect(first.next_after).toBe(first.items[2].position);
  });

  it('filters by stream, repeated types, time and position', async () => {
    const stream = `certificate-${certificateIds[0]}`;
    const byStream = await all(`/events?stream=${stream}`);
    expect(byStream.length).toBeGreaterThan(1);
    expect(byStream.every((i) => i.stream === stream)).toBe(true);
    const types = await all('/events?type=CertificateImported&type=DomainDeactivated');
    expect(types.map((i) => i.type).sort()).toEqual(['CertificateImported', 'CertificateImported', 'CertificateImported', 'DomainDeactivated']);
    const everything = await all('/events');
    const middle = everything[Math.floor(everything.length / 2)]!;
    const after = await all(`/events?after=${middle.position}`);
    expect(after.map((i) => i.id)).toEqual(everything.slice(everything.indexOf(middle) + 1).map((i) => i.id));
    const future = await json(await api(`/events?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`));
    expect(future).toEqual({ items: [], next_after: null });
    const upTo = await all(`/events?until=${encodeURIComponent(everything[0]!.created_at)}`);
    expect(upTo.every((i) => i.created_at <= everything[0]!.created_at)).toBe(true);
    expect(upTo.length).toBeGreaterThan(0);
    const since = await all(`/events?since=${encodeURIComponent(everything.at(-1)!.created_at)}`);
    expect(since.map((i) => i.id)).toContain(everything.at(-1)!.id);
  });

  it.each([
    ['limit=501', 'limit'], ['limit=0', 'limit'], ['limit=x', 'limit'], ['after=abc', 'after'], ['since=yesterday', 'since'],
    ['until=2026-01-01', 'until'], ['type=Bad-Type', 'type'], ['stream=', 'stream'], ['colour=red', 'colour'],
    ['since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z', 'since'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const res = await api(`/events?${query}`);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.result).toBe('error');
    expect(Object.keys(body.form_errors).some((k) => k === field || k.startsWith(`${field}.`))).toBe(true);
  });
});

describe('GET /api/v1/acme-orders/{id}/history', () => {
  it('answers 404 for an unknown order and 400 for a bad id (the CSR download route passes it on)', async () => {
    expect((await api('/acme-orders/00000000-0000-4000-8000-000000000000/history')).status).toBe(404);
    const bad = await api('/acme-orders/nope/history');
    expect(bad.status).toBe(400);
    expect((await json(bad)).form_errors).toHaveProperty('id');
  });
});
