/**
 * Orders answered by http-01 through the public app (listening where Pebble's VA connects), through
 * the HTTP API: the three processing ways, the chains up to each of Pebble's roots, CSR downloads,
 * the order stream's exchanges and polls, a failing challenge, retry, mark invalid, crash recovery.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHash, X509Certificate } from 'node:crypto';
import { finalizeOrder } from '../../src/commands/acme-order/finalize-order.js';
import { loadOrder } from '../../src/commands/acme-order/order-stream.js';
import { pickPrivateKey } from '../../src/commands/acme/key-policy.js';
import { parseCsr } from '../../src/infra/x509/csr.js';
import { generateCsr } from '../../src/infra/x509/csr-generator.js';
import { json } from '../support/app.js';
import { chainVerifies, holdHttpPort, newAccount, rootIndexOf, startOrderStack, uniqueName, type OrderStack } from './orders-support.js';

let stack: OrderStack;
let release: () => Promise<void>;
let accountId: string;
let roots: string[];
const PREFIX = '/.well-known/peter_sslers';

beforeAll(async () => {
  stack = await startOrderStack(inject('pebble'));
  release = await holdHttpPort(stack);
  accountId = await newAccount(stack);
  roots = await stack.pebble.roots();
});
afterAll(async () => {
  await release?.();
  await stack?.close();
});

const api = (path: string, init: { method?: string; body?: unknown } = {}) => fetch(`${stack.admin.url}/api/v1${path}`, {
  method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
  headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
  body: init.body === undefined ? undefined : JSON.stringify(init.body),
});
const post = (path: string, body: unknown = {}) => api(path, { method: 'POST', body });
const pemsOf = (text: string) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];

describe('process all: three names by http-01', () => {
  const names = [uniqueName('web'), uniqueName('www'), uniqueName('api')];
  let order: any; // eslint-disable-line @typescript-eslint/no-explicit-any

  beforeAll(async () => {
    const res = await post('/acme-orders', { account_id: accountId, domain_names_http01: names, process: 'all' });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.result).toBe('success');
    expect(body.next_step).toBe('done');
    order = body.order;
  });

  it('ends valid with the certificate in the catalog, each name answered by our public app', () => {
    expect(order).toMatchObject({ status: 'valid', processing: 'all', key_policy: 'account_default', key_policy_final: 'single_use', key_technology: 'EC_P256' });
    expect(order.certificate_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(order.authorizations).toHaveLength(3);
    for (const authorization of order.authorizations) {
      expect(authorization.status).toBe('valid');
      const http01 = authorization.challenges.find((c: { type: string }) => c.type === 'http-01');
      expect(http01).toMatchObject({ status: 'valid', key_authorization: expect.stringContaining(`${http01.token}.`), last_poll_remote_address: '127.0.0.1' });
      expect(http01.poll_count).toBeGreaterThanOrEqual(1);
      expect(authorization.challenges.find((c: { type: string }) => c.type === 'dns-01')).toMatchObject({ status: 'pending', key_authorization: null });
    }
  });

  it('downloads the default and every alternate chain, each verifying up to one of Pebble\'s roots', async () => {
    const { certificate } = await json(await api(`/certificates/${order.certificate_id}`));
    expect(certificate.ca_chains).toHaveLength(3); // PEBBLE_ALTERNATE_ROOTS=2
    const byRoot = new Map<number, boolean>();
    for (const chain of certificate.ca_chains) {
      const fullchain = pemsOf(await (await api(`/certificates/${order.certificate_id}/via-chain/${chain.id}/fullchain.pem`)).text());
      expect(chainVerifies(fullchain)).toBe(true);
      const root = rootIndexOf(fullchain, roots);
      expect(root).toBeGreaterThanOrEqual(0);
      byRoot.set(root, chain.is_default);
    }
    expect([...byRoot.keys()].sort()).toEqual([0, 1, 2]);
    expect(byRoot.get(0)).toBe(true); // the CA's default chain goes to root 0
    const leaf = new X509Certificate(pemsOf(await (await api(`/certificates/${order.certificate_id}/cert.pem`)).text())[0]!);
    expect(leaf.subjectAltName!.split(', ').sort()).toEqual(names.map((n) => `DNS:${n}`).sort());
    const config = await json(await fetch(`${stack.admin.url}${PREFIX}/domain/${names[0]}/config.json`));
    expect(config.certificate_signed__latest_multi.id).toBe(order.certificate_id);
  });

  it('records every exchange on the order stream, without certificates or keys', async () => {
    const { items } = await json(await api(`/acme-orders/${order.id}/exchanges`));
    const kinds = items.map((e: { data: { requestKind: string } }) => e.data.requestKind);
    expect(kinds).toEqual(expect.arrayContaining(['newOrder', 'getAuthorization', 'challengeResponse', 'finalize', 'getOrder', 'getCertificate']));
    // Pebble rejects ~5% of nonces: a rejected attempt is recorded too, marked `retrying`; count the calls.
    const calls = items
      .filter((e: { data: { retrying: boolean } }) => !e.data.retrying)
      .map((e: { data: { requestKind: string } }) => e.data.requestKind);
    expect(calls.filter((k: string) => k === 'challengeResponse')).toHaveLength(3);
    expect(calls.filter((k: string) => k === 'getCertificate')).toHaveLength(3);
    const text = JSON.stringify(items);
    expect(text).not.toContain('BEGIN CERTIFICATE');
    expect(text).not.toContain('PRIVATE KEY');
    const events = (await json(await api(`/acme-orders/${order.id}/events`))).items.map((e: { type: string }) => e.type);
    expect(events[0]).toBe('AcmeOrderCreated');
    expect(events).toEqual(expect.arrayContaining(['AcmeOrderSubmitted', 'AcmeChallengePrepared', 'AcmeChallengeTriggered', 'AcmeChallengePolled', 'AcmeOrderFinalized', 'AcmeCertificateDownloaded']));
    // Read-your-writes: each challenge was prepared (served) before it was triggered.
    expect(events.lastIndexOf('AcmeChallengePrepared')).toBeLessThan(events.indexOf('AcmeChallengeTriggered'));
  });

  it('offers the CSR (public, from the order events) as PEM, text and DER, natively and on the peter_sslers paths', async () => {
    const pemRes = await api(`/acme-orders/${order.id}/csr.pem`);
    expect(pemRes.headers.get('content-type')).toMatch(/^application\/x-pem-file/);
    const pem = await pemRes.text();
    const csr = parseCsr(pem);
    expect(csr.dnsNames.sort()).toEqual([...names].sort());
    const { certificate } = await json(await api(`/certificates/${order.certificate_id}`));
    expect(csr.spkiSha256).toBe(certificate.spki_sha256);
    expect((await api(`/acme-orders/${order.id}/csr.pem.txt`)).headers.get('content-type')).toMatch(/^text\/plain/);
    const der = Buffer.from(await (await api(`/acme-orders/${order.id}/csr.der`)).arrayBuffer());
    expect(der.equals(csr.der)).toBe(true);
    const compat = await json(await fetch(`${stack.admin.url}${PREFIX}/certificate-request/${order.csr_id}.json`));
    expect(compat.CertificateRequest).toMatchObject({ id: order.csr_id, csr_pem: pem, acme_order_id: order.id });
    expect(await (await fetch(`${stack.admin.url}${PREFIX}/certificate-request/${order.csr_id}/csr.pem`)).text()).toBe(pem);
    const compatDer = Buffer.from(await (await fetch(`${stack.admin.url}${PREFIX}/certificate-request/${order.csr_id}/csr.csr`)).arrayBuffer());
    expect(createHash('sha256').update(compatDer).digest('hex')).toBe(createHash('sha256').update(csr.der).digest('hex'));
    expect((await fetch(`${stack.admin.url}${PREFIX}/certificate-requests.json`)).status).toBe(200);
  });

  it('answers the order on the peter_sslers paths', async () => {
    const { AcmeOrder } = await json(await fetch(`${stack.admin.url}${PREFIX}/acme-order/${order.id}.json`));
    expect(AcmeOrder).toMatchObject({
      id: order.id, acme_status_order: 'valid', acme_order_processing_strategy: 'process_single', acme_order_processing_status: 'certificate_downloaded',
      certificate_signed_id: order.certificate_id, certificate_request_id: order.csr_id, is_can_retry: false,
    });
    expect(AcmeOrder.acme_authorization_ids).toHaveLength(3);
    expect(AcmeOrder.domains_challenged['http-01'].sort()).toEqual([...names].sort());
    const audit = await json(await fetch(`${stack.admin.url}${PREFIX}/acme-order/${order.id}/audit.json`));
    expect(audit.AuditReport.AcmeAuthorizations).toHaveLength(3);
    const { AcmeAuthorization } = await json(await fetch(`${stack.admin.url}${PREFIX}/acme-authorization/${AcmeOrder.acme_authorization_ids[0]}.json`));
    expect(AcmeAuthorization.acme_status_authorization).toBe('valid');
    const { AcmeChallenge } = await json(await fetch(`${stack.admin.url}${PREFIX}/acme-challenge/${AcmeAuthorization.acme_challenge_http_01_id}.json`));
    expect(AcmeChallenge).toMatchObject({ acme_challenge_type: 'http-01', acme_status_challenge: 'valid' });
    const list = await json(await fetch(`${stack.admin.url}${PREFIX}/acme-orders/all.json`));
    expect(list.AcmeOrders.map((o: { id: string }) => o.id)).toContain(order.id);
  });
});

describe('the other processing ways', () => {
  it('creates only, then runs each named step', async () => {
    const names = [uniqueName('named-a'), '127.0.0.1'];
    const created = await json(await post('/acme-orders', { account_id: accountId, domain_names_http01: names, process: 'none' }));
    expect(created.order).toMatchObject({ status: 'pending', authorizations: [] });
    expect(created.next_step).toBe('fetch-authorizations');
    const id = created.order.id;
    const run = async (step: string) => {
      const body = await json(await post(`/acme-orders/${id}/process`, { step }));
      expect(body.result, JSON.stringify(body.steps)).toBe('success');
      return body;
    };
    expect((await run('fetch-authorizations')).order.authorizations).toHaveLength(2);
    expect((await json(await post(`/acme-orders/${id}/process`, { step: 'finalize' }))).code).toBe('illegal_state');
    let body = await run('answer-challenge');
    body = await run('answer-challenge');
    expect(body.order.status).toBe('ready');
    body = await run('finalize');
    expect(body.order.status).toBe('valid');
    body = await run('download');
    expect(body.next_step).toBe('done');
    const leaf = new X509Certificate(pemsOf(await (await api(`/certificates/${body.order.certificate_id}/cert.pem`)).text())[0]!);
    expect(leaf.subjectAltName).toContain('IP Address:127.0.0.1');
  });

  it('processes step by step, certledger picking each next step', async () => {
    const created = await json(await post('/acme-orders', { account_id: accountId, domain_names_http01: [uniqueName('step-a'), uniqueName('step-b')], process: 'step' }));
    const id = created.order.id;
    const seen: string[] = [];
    let next = created.next_step;
    for (let i = 0; i < 10 && next !== 'done'; i += 1) {
      const body = await json(await post(`/acme-orders/${id}/process`));
      expect(body.result, JSON.stringify(body.steps)).toBe('success');
      seen.push(body.steps[0].step);
      next = body.next_step;
    }
    expect(next).toBe('done');
    expect(seen[0]).toBe('fetch-authorizations');
    expect(seen.filter((s) => s === 'set-dns-records' || s === 'trigger-challenges')).toEqual(['trigger-challenges', 'trigger-challenges']);
    expect(seen.slice(-2)).toEqual(['finalize', 'download']);
  });

  it('processes step by step on the peter_sslers paths (freeform, acme-process)', async () => {
    const form = new URLSearchParams({ acme_account_id: accountId, domain_names_http01: `${uniqueName('ps-a')},${uniqueName('ps-b')}`, processing_strategy: 'process_multi', private_key_cycle: 'single_use', private_key_technology: 'RSA_2048' });
    const created = await json(await fetch(`${stack.admin.url}${PREFIX}/acme-order/new/freeform.json`, { method: 'POST', body: form }));
    expect(created).toMatchObject({ result: 'success', AcmeOrder: { acme_order_processing_strategy: 'process_multi', acme_status_order: 'pending' } });
    const id = created.AcmeOrder.id;
    let order = created.AcmeOrder;
    for (let i = 0; i < 10 && order.certificate_signed_id === null; i += 1) {
      const body = await json(await fetch(`${stack.admin.url}${PREFIX}/acme-order/${id}/acme-process.json`, { method: 'POST' }));
      expect(body, JSON.stringify(body)).toMatchObject({ result: 'success', operation: 'acme-process' });
      order = body.AcmeOrder;
    }
    expect(order).toMatchObject({ acme_status_order: 'valid', private_key_technology: 'RSA_2048', acme_order_processing_status: 'certificate_downloaded' });
  });
});

describe('failures', () => {
  it('a challenge that fails ends the order invalid, with the problem recorded and the other authorizations deactivated', async () => {
    const bad = uniqueName('closed-port');
    await stack.pebble.challtestsrv.addA(bad, ['127.0.0.2']); // nothing listens there
    const names = [bad, uniqueName('ok-a'), uniqueName('ok-b')];
    const created = await json(await post('/acme-orders', { account_id: accountId, domain_names_http01: names, process: 'step' }));
    const id = created.order.id;
    const fetched = await json(await post(`/acme-orders/${id}/process`, { step: 'fetch-authorizations' }));
    const badChallenge = fetched.order.authorizations.find((a: { identifier: { value: string } }) => a.identifier.value === bad)
      .challenges.find((c: { type: string }) => c.type === 'http-01');
    const triggered = await json(await post(`/acme-challenges/${badChallenge.id}/trigger`));
    expect(triggered.challenge).toMatchObject({ status: 'invalid', error: { type: 'urn:ietf:params:acme:error:connection' } });
    expect(triggered.steps.map((s: { step: string }) => s.step)).toEqual(expect.arrayContaining(['trigger-challenges', 'poll-authorizations', 'deactivate-authorizations', 'sync-order']));
    const order = await json(await api(`/acme-orders/${id}`));
    expect(order.status).toBe('invalid');
    const statuses = Object.fromEntries(order.authorizations.map((a: { identifier: { value: string }; status: string }) => [a.identifier.value, a.status]));
    expect(statuses).toEqual({ [bad]: 'invalid', [names[1]!]: 'deactivated', [names[2]!]: 'deactivated' });
    const events = (await json(await api(`/acme-orders/${id}/events`))).items.map((e: { type: string }) => e.type);
    expect(events.filter((t: string) => t === 'AcmeAuthorizationDeactivated')).toHaveLength(2);

    // Retry: a new order for the same names, once the name resolves to us.
    await stack.pebble.challtestsrv.clearA(bad);
    const retried = await api(`/acme-orders/${id}/retry`, { method: 'POST', body: { process: 'all' } });
    const retry = await json(retried);
    expect(retried.status).toBe(201);
    expect(retry.order).toMatchObject({ status: 'valid', retry_of: id });
    expect((await json(await api(`/acme-orders/${id}`))).retried_by).toEqual([retry.order.id]);
  });

  it('leaves the other authorizations pending when asked not to deactivate them', async () => {
    const bad = uniqueName('closed-port-kept');
    await stack.pebble.challtestsrv.addA(bad, ['127.0.0.2']);
    const other = uniqueName('kept');
    const created = await json(await post('/acme-orders', { account_id: accountId, domain_names_http01: [bad, other], process: 'step', deactivate_on_failure: false }));
    const id = created.order.id;
    const fetched = await json(await post(`/acme-orders/${id}/process`, { step: 'fetch-authorizations' }));
    const badChallenge = fetched.order.authorizations.find((a: { identifier: { value: string } }) => a.identifier.value === bad)
      .challenges.find((c: { type: string }) => c.type === 'http-01');
    const triggered = await json(await post(`/acme-challenges/${badChallenge.id}/trigger`));
    expect(triggered.steps.map((s: { step: string }) => s.step)).not.toContain('deactivate-authorizations');
    const order = await json(await api(`/acme-orders/${id}`));
    expect(order.deactivate_on_failure).toBe(false);
    expect(order.authorizations.find((a: { identifier: { value: string } }) => a.identifier.value === other).status).toBe('pending');
  });

  it('process all with a name that resolves nowhere ends cleanly with the problem on the order', async () => {
    const bad = uniqueName('nowhere');
    await stack.pebble.challtestsrv.addA(bad, ['127.0.0.2']);
    const res = await post('/acme-orders', { account_id: accountId, domain_names_http01: [bad], process: 'all' });
    const body = await json(res);
    expect(res.status).toBe(201);
    expect(body).toMatchObject({ result: 'error', next_step: 'failed', order: { status: 'invalid', certificate_id: null } });
    expect(body.order.authorizations[0].challenges.find((c: { type: string }) => c.type === 'http-01').error.type).toBe('urn:ietf:params:acme:error:connection');
    expect((await json(await post(`/acme-orders/${body.order.id}/finalize`))).code).toBe('illegal_state');
  });

  it('marks a pending order invalid; it then refuses to process but can be retried', async () => {
    const created = await json(await post('/acme-orders', { account_id: accountId, domain_names_http01: [uniqueName('given-up')], process: 'none' }));
    const id = created.order.id;
    const marked = await json(await post(`/acme-orders/${id}/mark-invalid`, { reason: 'no longer needed' }));
    expect(marked.order).toMatchObject({ is_marked_invalid: true, marked_invalid_reason: 'no longer needed' });
    expect(marked.next_step).toBe('failed');
    expect((await post(`/acme-orders/${id}/process`, { step: 'fetch-authorizations' })).status).toBe(409);
    const compat = await json(await fetch(`${stack.admin.url}${PREFIX}/acme-order/${id}.json`));
    expect(compat.AcmeOrder).toMatchObject({ acme_status_order: 'invalid', is_can_retry: true, acme_order_processing_status: 'processing_completed_failure' });
  });
});

describe('crash recovery', () => {
  it('an order finalized behind certledger\'s back (a crash before the answer was recorded) is recovered by syncing', async () => {
    const created = await json(await post('/acme-orders', { account_id: accountId, domain_names_http01: [uniqueName('crash')], process: 'step' }));
    const id = created.order.id;
    for (let i = 0; i < 5; i += 1) {
      const body = await json(await post(`/acme-orders/${id}/process`));
      if (body.next_step === 'finalize') break;
    }
    // What finalize does up to its request; the process "dies" before recording the answer.
    const order = await loadOrder(stack.deps.store, id);
    const session = await stack.deps.acme.open(accountId);
    const picked = await pickPrivateKey(stack.orderDeps, { policy: 'single_use', accountId, uniqueFqdnSetId: order.uniqueFqdnSetId, keyTechnology: 'EC_P256' });
    const csr = await generateCsr(picked.key.pkcs8Der, order.identifiers.map(({ type, value }) => ({ type, value })));
    await session.transport.post(order.finalizeUrl!, { csr: csr.der.toString('base64url') }, session.signer, { kind: 'finalize' });
    expect((await loadOrder(stack.deps.store, id)).status).toBe('ready');

    await new Promise((r) => setTimeout(r, 300));
    const synced = await json(await post(`/acme-orders/${id}/sync`));
    expect(synced.order.status).toBe('valid');
    expect(synced.next_step).toBe('download');
    const done = await json(await post(`/acme-orders/${id}/process`));
    expect(done.next_step).toBe('done');
    const { certificate } = await json(await api(`/certificates/${done.order.certificate_id}`));
    expect(certificate.private_key_id).toBe(picked.privateKeyId);
    await expect(finalizeOrder(stack.orderDeps, id)).rejects.toThrow(/not ready/);
  });
});

describe('timing (printed, not asserted)', () => {
  it('issues single-name certificates by http-01: one at a time, then 10 in parallel', async () => {
    const issue = async () => {
      const t0 = performance.now();
      const body = await json(await post('/acme-orders', { account_id: accountId, domain_names_http01: [uniqueName('timed')], process: 'all' }));
      expect(body.result, JSON.stringify(body.steps)).toBe('success');
      return performance.now() - t0;
    };
    await issue(); // warm-up: first TLS connections, JIT
    const sequential: number[] = [];
    for (let i = 0; i < 5; i += 1) sequential.push(await issue());
    const t0 = performance.now();
    const parallel = await Promise.all(Array.from({ length: 10 }, issue));
    const wall = performance.now() - t0;
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`[timing http-01] per certificate (sequential, n=5): avg ${avg(sequential).toFixed(0)} ms, min ${Math.min(...sequential).toFixed(0)} ms, max ${Math.max(...sequential).toFixed(0)} ms`);
    console.log(`[timing http-01] 10 in parallel: ${wall.toFixed(0)} ms wall, ${(wall / 10).toFixed(0)} ms per certificate, slowest ${Math.max(...parallel).toFixed(0)} ms`);
  }, 180_000);
});
