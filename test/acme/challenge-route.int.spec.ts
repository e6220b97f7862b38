/**
 * The public http-01 route (RFC 8555 §8.3) from the read model: the key authorization as text
 * while the challenge is open, nothing otherwise, and a bounded record of who fetched it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordOnOrder } from '../../src/commands/acme-order/order-stream.js';
import { MAX_RECORDED_POLLS } from '../../src/commands/acme-order/record-challenge-poll.js';
import type { AuthorizationResource } from '../../src/domain/acme-order/commands.js';
import { startTestStack, type TestStack } from '../support/app.js';

let stack: TestStack;
const NOW = () => new Date().toISOString();
const ORDER = '0a0a0a0a-0000-8000-8000-000000000001';
const TOKEN = 'Xk3HpJ0c2lSxWYj9rU7vA8bN4mQeTz1FoKdGi6Lw5Rs';
const KEY_AUTHORIZATION = `${TOKEN}.thumbprint-of-the-account-key`;

const authorization = (status: AuthorizationResource['status'], challengeStatus: 'pending' | 'processing' | 'valid'): AuthorizationResource => ({
  authorizationId: 'authz-1', url: 'https://ca.test/authz/1', identifier: { type: 'dns', value: 'www.example.test' }, status, expires: null, wildcard: false,
  challenges: [{ challengeId: 'challenge-1', url: 'https://ca.test/chall/1', type: 'http-01', token: TOKEN, status: challengeStatus, validated: null, error: null }],
});

async function record(command: Parameters<typeof recordOnOrder>[2]): Promise<void> {
  const handled = await recordOnOrder(stack.deps, ORDER, command);
  await stack.deps.projections.waitFor(handled.position!);
}

const fetchToken = (token = TOKEN) => fetch(`${stack.public.url}/.well-known/acme-challenge/${token}`, { headers: { 'user-agent': 'Pebble VA' } });

beforeAll(async () => {
  stack = await startTestStack('pglite');
  await record({
    type: 'CreateAcmeOrder', orderId: ORDER, accountId: 'acc', acmeServerId: 'srv', identifiers: [{ type: 'dns', value: 'www.example.test', challengeType: 'http-01' }],
    uniqueFqdnSetId: 'set', keyPolicy: 'single_use', keyTechnology: 'EC_P256', processing: 'all', deactivateOnFailure: true, retryOf: null, now: NOW(),
  });
  await record({ type: 'RecordAcmeStep', step: 'test', exchanges: [], now: NOW(), facts: [
    { kind: 'submitted', orderUrl: 'https://ca.test/order/1', order: { status: 'pending', expires: null, authorizationUrls: ['https://ca.test/authz/1'], finalizeUrl: 'https://ca.test/fin/1', certificateUrl: null, error: null } },
    { kind: 'authorization', authorization: authorization('pending', 'pending') },
  ] });
});
afterAll(async () => {
  await stack?.close();
});

describe('GET /.well-known/acme-challenge/{token}', () => {
  it('knows nothing of a token before the challenge is prepared', async () => {
    const res = await fetchToken();
    expect(res.status).toBe(404);
    expect(res.headers.get('x-peter-sslers')).toBe('public');
  });

  it('answers the key authorization as text once prepared, and records each fetch (bounded)', async () => {
    await record({ type: 'PrepareAcmeChallenges', challenges: [{ challengeId: 'challenge-1', keyAuthorization: KEY_AUTHORIZATION }], now: NOW() });
    const res = await fetchToken();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(KEY_AUTHORIZATION);
    for (let i = 0; i < MAX_RECORDED_POLLS + 3; i += 1) expect((await fetchToken()).status).toBe(200);
    let polls: { data: Record<string, unknown> }[] = [];
    for (let i = 0; i < 50 && polls.length < MAX_RECORDED_POLLS; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
      polls = (await stack.deps.store.readStream(`acmeOrder-${ORDER}`)).filter((e) => e.type === 'AcmeChallengePolled');
    }
    await new Promise((r) => setTimeout(r, 200));
    polls = (await stack.deps.store.readStream(`acmeOrder-${ORDER}`)).filter((e) => e.type === 'AcmeChallengePolled');
    expect(polls).toHaveLength(MAX_RECORDED_POLLS);
    expect(polls[0]!.data).toMatchObject({ challengeId: 'challenge-1', remoteAddress: '127.0.0.1', userAgent: 'Pebble VA', polledAt: expect.any(String) });
    await stack.deps.projections.waitFor(await stack.deps.store.headPosition());
    const row = await stack.deps.db.selectFrom('acme_challenges').select(['poll_count', 'last_poll_remote_address']).where('id', '=', 'challenge-1').executeTakeFirstOrThrow();
    expect(row).toEqual({ poll_count: MAX_RECORDED_POLLS, last_poll_remote_address: '127.0.0.1' });
  });

  it('stops answering once the challenge is settled', async () => {
    await record({ type: 'RecordAcmeStep', step: 'test', exchanges: [], now: NOW(), facts: [{ kind: 'authorization', authorization: authorization('valid', 'valid') }] });
    expect((await fetchToken()).status).toBe(404);
  });

  it('refuses what is not a token', async () => {
    expect((await fetchToken('not%20a%20token')).status).toBe(404);
    expect((await fetchToken('a'.repeat(300))).status).toBe(404);
  });
});
