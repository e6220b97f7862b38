/** The ACME transport against a real Pebble (started once per run by test/support/pebble-global-setup.ts). */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateAccountKey } from '../../src/infra/acme/account-key.js';
import type { AcmeExchangeRecord } from '../../src/infra/acme/exchange.js';
import { createAcmeTransport, type AcmeTransport } from '../../src/infra/acme/http.js';
import { signKeyChange } from '../../src/infra/acme/inner-jws.js';
import { linkUrls } from '../../src/infra/acme/links.js';
import { AcmeProblem } from '../../src/infra/acme/problem.js';
import { createAcmeSigner, type AcmeSigner } from '../../src/infra/acme/signer.js';
import { connectPebble, PEBBLE_BLOCKED_DOMAIN } from '../support/pebble.js';

const pebble = connectPebble(inject('pebble'));
const exchanges: AcmeExchangeRecord[] = [];
let transport: AcmeTransport;
let account: { signer: AcmeSigner; url: string };

const catchProblem = (promise: Promise<unknown>) => promise.then(
  () => { throw new Error('expected an ACME problem'); },
  (error: unknown) => error as AcmeProblem,
);

async function newAccount(signer: AcmeSigner, payload: object = { termsOfServiceAgreed: true }) {
  const { newAccount: url } = await transport.directory();
  return transport.post(url, payload, signer, { kind: 'newAccount' });
}

beforeAll(async () => {
  transport = createAcmeTransport({
    directoryUrl: pebble.directoryUrl,
    ca: pebble.caPem,
    userAgent: 'certledger-tests/0.1',
    onExchange: (record) => { exchanges.push(record); },
  });
  const signer = await createAcmeSigner(await generateAccountKey({ type: 'ec', curve: 'P-256' }));
  const created = await newAccount(signer);
  account = { signer: signer.withKid(created.location!), url: created.location! };
});

afterAll(() => transport?.close());

describe('ACME transport against Pebble', () => {
  it('fetches and validates the directory, and records the exchange', async () => {
    const directory = await transport.directory({ refresh: true });
    expect(directory.newNonce).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(directory.keyChange).toBeDefined();
    expect(directory.meta).toEqual({ externalAccountRequired: false, termsOfService: expect.stringMatching(/^data:/) });
    expect(directory.renewalInfo).toBeUndefined(); // Pebble 2.4.0 has no ARI
    expect(directory.raw).toMatchObject({ newOrder: directory.newOrder });
    const record = exchanges.findLast((e) => e.requestKind === 'directory')!;
    expect(record).toMatchObject({ method: 'GET', url: pebble.directoryUrl, status: 200, attempt: 1, retrying: false });
    expect(exchanges.some((e) => e.requestKind === 'newNonce' && e.method === 'HEAD' && e.status === 200)).toBe(true);
  });

  it.each([
    ['EC P-256', { type: 'ec', curve: 'P-256' }, 'ES256'],
    ['RSA 2048', { type: 'rsa', bits: 2048 }, 'RS256'],
  ] as const)('creates an account with a %s key (jwk), then finds it again', async (_name, spec, alg) => {
    const signer = await createAcmeSigner(await generateAccountKey(spec));
    expect(signer.alg).toBe(alg);
    const created = await newAccount(signer, { termsOfServiceAgreed: true, contact: ['mailto:admin@example.test'] });
    expect(created.status).toBe(201);
    expect(created.location).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    expect(created.body).toMatchObject({ status: 'valid', contact: ['mailto:admin@example.test'], key: signer.publicJwk });
    expect(linkUrls(created.links, 'index')).toEqual([pebble.directoryUrl]);
    // §7.3.1: the same key finds the same account.
    const found = await newAccount(signer, { onlyReturnExisting: true });
    expect(found.status).toBe(200);
    expect(found.location).toBe(created.location);
  });

  it('signs with kid once the account exists (update) and reads it by POST-as-GET', async () => {
    const updated = await transport.post(account.url, { contact: ['mailto:ops@example.test'] }, account.signer, { kind: 'accountUpdate' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ contact: ['mailto:ops@example.test'] });
    const read = await transport.post(account.url, '', account.signer, { kind: 'getAccount' });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: 'valid', contact: ['mailto:ops@example.test'] });
    expect(read.exchange).toMatchObject({ requestKind: 'getAccount', method: 'POST', url: account.url, status: 200 });
  });

  it('retries a rejected nonce with a fresh one (§6.5)', async () => {
    transport.nonces.offer('neverIssuedByThisServer');
    const before = exchanges.length;
    const read = await transport.post(account.url, '', account.signer, { kind: 'getAccount' });
    expect(read.status).toBe(200);
    const mine = exchanges.slice(before).filter((e) => e.requestKind === 'getAccount');
    expect(mine[0]).toMatchObject({ attempt: 1, retrying: true, status: 400, problem: { type: 'urn:ietf:params:acme:error:badNonce' } });
    expect(mine.at(-1)).toMatchObject({ status: 200, retrying: false });
  });

  it("survives Pebble's 5 % random badNonce over many requests", async () => {
    const before = exchanges.length;
    let calls = 0;
    const badNonces = () => exchanges.slice(before).filter((e) => e.problem?.type === 'urn:ietf:params:acme:error:badNonce').length;
    // At least 60 requests, and on until Pebble rejected one (P(none in 400) ≈ 1e-9).
    while (calls < 60 || (badNonces() === 0 && calls < 400)) {
      const results = await Promise.all(Array.from({ length: 4 }, () => transport.post(account.url, '', account.signer, { kind: 'getAccount' })));
      calls += results.length;
      for (const result of results) expect(result.status).toBe(200);
    }
    const mine = exchanges.slice(before).filter((e) => e.requestKind === 'getAccount');
    expect(badNonces()).toBeGreaterThan(0);
    expect(mine.filter((e) => !e.retrying)).toHaveLength(calls);
    expect(mine.filter((e) => !e.retrying).every((e) => e.status === 200)).toBe(true);
    expect(mine.filter((e) => e.retrying).every((e) => e.problem?.type === 'urn:ietf:params:acme:error:badNonce')).toBe(true);
  });

  it('turns a problem document into an AcmeProblem (rejectedIdentifier, malformed)', async () => {
    const { newOrder } = await transport.directory();
    const blocked = await catchProblem(transport.post(newOrder, { identifiers: [{ type: 'dns', value: `www.${PEBBLE_BLOCKED_DOMAIN}` }] }, account.signer, { kind: 'newOrder' }));
    expect(blocked).toBeInstanceOf(AcmeProblem);
    expect(blocked.is('rejectedIdentifier')).toBe(true);
    expect(blocked.status).toBe(400);
    expect(blocked.detail).toContain(PEBBLE_BLOCKED_DOMAIN);
    const record = exchanges.findLast((e) => e.requestKind === 'newOrder')!;
    expect(record).toMatchObject({ status: 400, retrying: false, problem: blocked.toJSON() });
    expect(record.contentType).toMatch(/^application\/problem\+json/);

    const malformed = await catchProblem(transport.post(newOrder, { identifiers: [{ type: 'dns', value: 'no_underscores-.example.test' }] }, account.signer, { kind: 'newOrder' }));
    expect(malformed.acmeType).toMatch(/^(malformed|rejectedIdentifier)$/);
    expect(malformed.status).toBe(400);
  });

  it('rolls the account key over with the inner JWS (§7.3.5)', async () => {
    const oldKey = await createAcmeSigner(await generateAccountKey({ type: 'rsa', bits: 2048 }));
    const url = (await newAccount(oldKey)).location!;
    const { keyChange } = await transport.directory();
    const newKey = await createAcmeSigner(await generateAccountKey({ type: 'ec', curve: 'P-384' }));
    const inner = await signKeyChange({ newKey, oldPublicJwk: oldKey.publicJwk, accountUrl: url, keyChangeUrl: keyChange! });
    const changed = await transport.post(keyChange!, inner, oldKey.withKid(url), { kind: 'keyChange' });
    expect(changed.status).toBe(200);
    expect((await newAccount(newKey, { onlyReturnExisting: true })).location).toBe(url);
    const gone = await catchProblem(newAccount(oldKey, { onlyReturnExisting: true }));
    expect(gone.is('accountDoesNotExist')).toBe(true);
  });

  it('keeps every exchange record plain JSON without private key material', async () => {
    expect(exchanges.length).toBeGreaterThan(60);
    expect(JSON.parse(JSON.stringify(exchanges))).toEqual(exchanges);
    const isPlain = (value: unknown): boolean => value === null || ['string', 'number', 'boolean'].includes(typeof value)
      || (Array.isArray(value) && value.every(isPlain))
      || (Object.getPrototypeOf(value) === Object.prototype && Object.values(value as object).every(isPlain));
    expect(exchanges.every(isPlain)).toBe(true);
    for (const record of exchanges) {
      expect(Number.isNaN(Date.parse(record.startedAt))).toBe(false);
      expect(record.startedAt).toMatch(/Z$/);
      expect(record.durationMs).toBeGreaterThanOrEqual(0);
    }
    const text = JSON.stringify(exchanges);
    expect(text).not.toMatch(/PRIVATE KEY|"d":/);
  });

  it('refuses to sign newAccount with kid or an account request with jwk (§6.2)', async () => {
    await expect(newAccount(account.signer)).rejects.toThrow(/newAccount .* jwk/);
    const anonymous = await createAcmeSigner(await generateAccountKey({ type: 'ec', curve: 'P-256' }));
    await expect(transport.post(account.url, '', anonymous, { kind: 'getAccount' })).rejects.toThrow(/getAccount .* kid/);
  });
});
