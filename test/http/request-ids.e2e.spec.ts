import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createTestChain } from '../support/pki.js';

const PREFIX = '/.well-known/peter_sslers';

describe('request ids: answers, log lines and events of one request share it', () => {
  let stack: TestStack;
  const lines: string[] = [];
  beforeAll(async () => {
    stack = await startTestStack('pglite', { logger: createLogger('debug', (line) => lines.push(line)) });
  });
  afterAll(async () => stack?.close());
  const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  it('keeps a plain X-Request-Id, logs the request under it, and stamps the events it appended', async () => {
    const chain = await createTestChain({ names: ['rid.example.test'] });
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST',
      headers: { 'x-request-id': 'upload-42' },
      body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('upload-42');
    const id = (await json(res)).certificate.id as string;

    const events = await stack.deps.store.readStream(`certificate-${id}`);
    expect(events[0]!.metadata.correlationId).toBe('upload-42');
    const mine = logged().filter((l) => l.requestId === 'upload-42');
    expect(mine.map((l) => l.message)).toEqual(expect.arrayContaining(['certificate uploaded', 'request']));
    expect(mine.find((l) => l.message === 'request')).toMatchObject({
      level: 'info', method: 'POST', path: `${PREFIX}/certificate-signed/upload.json`, status: 200, ms: expect.any(Number), time: expect.any(String),
    });
  });

  it('makes a new id when none or a strange one is sent, and logs health probes at debug', async () => {
    const none = await fetch(`${stack.admin.url}/api/v1/certificates`);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const strange = await fetch(`${stack.admin.url}/api/v1/certificates`, { headers: { 'x-request-id': 'a b\u00e9' } });
    expect(strange.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const publicRes = await fetch(`${stack.public.url}/.well-known/acme-challenge/unknown-token`, { headers: { 'x-request-id': 'pub-1' } });
    expect(publicRes.headers.get('x-request-id')).toBe('pub-1');
    const health = await fetch(`${stack.admin.url}/healthz`, { headers: { 'x-request-id': 'probe-1' } });
    await health.arrayBuffer();
    await new Promise((r) => setTimeout(r, 50));
    expect(logged().find((l) => l.requestId === 'probe-1')).toMatchObject({ level: 'debug', message: 'request', path: '/healthz' });
    expect(logged().find((l) => l.requestId === 'pub-1')).toMatchObject({ level: 'info', message: 'request', status: 404 });
  });
});
