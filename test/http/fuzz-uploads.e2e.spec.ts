import { X509Certificate, createPrivateKey } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/app.js';
import { createTestChain, type TestChain } from '../support/pki.js';

const PREFIX = '/.well-known/peter_sslers';
const FIELDS = ['private_key_file', 'certificate_file', 'chain_file'] as const;
type Field = (typeof FIELDS)[number];

/** A file's bytes after one mutation of the kind a broken client or a hostile one sends. */
const mutate = (pem: string, der: Buffer) => fc.oneof(
  fc.constant(Buffer.from(pem)),
  fc.constant(der),
  fc.nat({ max: pem.length }).map((n) => Buffer.from(pem.slice(0, n))),
  fc.tuple(fc.nat({ max: pem.length - 1 }), fc.constantFrom('!', '\u0000', 'Z', '=', '\n', 'é')).map(([at, c]) => Buffer.from(pem.slice(0, at) + c + pem.slice(at + 1))),
  fc.tuple(fc.nat({ max: der.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([at, x]) => { const b = Buffer.from(der); b[at] = b[at]! ^ x; return b; }),
  fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
  fc.constant(Buffer.from(pem.replace(/\n/g, '\r\n'))),
  fc.constant(Buffer.from(`\ufeff${pem}`)),
  fc.constant(Buffer.from(pem + pem)),
  fc.constant(Buffer.alloc(0)),
  fc.constant(Buffer.from(Buffer.from(pem).toString('utf16le'))),
);

describe('certificate uploads under random and broken files (fast-check)', () => {
  let stack: TestStack;
  let good: TestChain;
  let other: TestChain;
  beforeAll(async () => {
    stack = await startTestStack('pglite');
    good = await createTestChain({ names: ['fuzz.example.test'] });
    other = await createTestChain({ names: ['other.fuzz.example.test'], keyAlgorithm: 'RSA' });
  });
  afterAll(async () => stack?.close());

  it('answers 200 only for a matching certificate, key and chain; otherwise 400 naming a field, and nothing stored', async () => {
    const keyDer = createPrivateKey(good.leaf.keyPem).export({ format: 'der', type: 'pkcs8' });
    const files: Record<Field, fc.Arbitrary<Buffer>> = {
      private_key_file: fc.oneof(mutate(good.leaf.keyPem, keyDer), fc.constant(Buffer.from(other.leaf.keyPem))),
      certificate_file: fc.oneof(mutate(good.leaf.certPem, new X509Certificate(good.leaf.certPem).raw), fc.constant(Buffer.from(other.leaf.certPem))),
      chain_file: fc.oneof(mutate(good.chainPem, new X509Certificate(good.chainPem).raw), fc.constant(Buffer.from(other.chainPem))),
    };
    const counts = new Map<number, number>();
    const problems: string[] = [];
    await fc.assert(fc.asyncProperty(
      fc.record(files), fc.subarray([...FIELDS], { minLength: 0 }), fc.boolean(), fc.constantFrom('file', 'text'),
      async (parts, omitted, duplicate, style) => {
        const body = new FormData();
        for (const field of FIELDS) {
          if (omitted.includes(field)) continue;
          const bytes = parts[field];
          if (style === 'file') body.append(field, new Blob([bytes]), `${field}.pem`);
          else body.append(field, bytes.toString('latin1'));
          if (duplicate && field === 'certificate_file') body.append(field, new Blob([bytes]), 'again.pem');
        }
        const before = await stack.deps.store.headPosition();
        const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, { method: 'POST', body });
        counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
        const text = await res.text();
        if (res.status === 200) return;
        const parsed = JSON.parse(text) as { form_errors?: Record<string, string>; message?: string };
        if (res.status !== 400) problems.push(`${res.status}: ${text.slice(0, 200)}`);
        else if (!parsed.form_errors || !Object.keys(parsed.form_errors).some((f) => (FIELDS as readonly string[]).includes(f) || f === 'body')) problems.push(`400 names no upload field: ${text.slice(0, 200)}`);
        if ((await stack.deps.store.headPosition()) !== before) problems.push(`refused (${res.status}) but wrote events: ${text.slice(0, 120)}`);
      },
    ), { numRuns: Number(process.env.FUZZ_RUNS ?? 400), seed: Number(process.env.FUZZ_SEED ?? 20261203) });
    console.log(`upload fuzz: ${[...counts].map(([s, n]) => `${n}× ${s}`).join(', ')}; ${problems.length} problems`);
    expect([...new Set(problems)].slice(0, 30)).toEqual([]);
    expect(counts.get(400)).toBeGreaterThan(0);
  }, 600_000);

  it('refuses a file over 1 MiB naming it, and stores nothing', async () => {
    const before = await stack.deps.store.headPosition();
    const body = new FormData();
    body.append('private_key_file', good.leaf.keyPem);
    body.append('certificate_file', new Blob([Buffer.alloc(1024 * 1024 + 1, 0x41)]), 'big.pem');
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(Object.keys(((await res.json()) as { form_errors: Record<string, string> }).form_errors)).toContain('certificate_file');
    expect(await stack.deps.store.headPosition()).toBe(before);
  });
});
