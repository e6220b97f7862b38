/**
 * autocert and certificate-if-needed against Pebble, http-01 answered by our public app: a new
 * name, an existing one, blocklisted and not-allowed names (refused before anything is stored),
 * a concurrent second request (joins the first), an attempt held elsewhere (refused), and a
 * failing one (refused for ten minutes on the injected clock, allowed after).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { autocert } from '../../src/commands/autocert/autocert.js';
import { AutocertInProgressError, autocertStream, autocertDecider } from '../../src/domain/autocert/decider.js';
import { handleCommand } from '../../src/commands/handle.js';
import { acmeOrderStreams } from '../../src/domain/shared/ids.js';
import { setSystemPolicy } from '../../src/commands/renewal/system-policy.js';
import { json } from '../support/app.js';
import { holdHttpPort, newAccount, startOrderStack, uniqueName, type OrderStack } from './orders-support.js';

let stack: OrderStack;
let release: () => Promise<void>;
let accountId: string;
let offsetMs = 0;
const PREFIX = '/.well-known/peter_sslers';

beforeAll(async () => {
  stack = await startOrderStack(inject('pebble'));
  release = await holdHttpPort(stack);
  accountId = await newAccount(stack);
  // The clock the apps see: moved forward to pass the ten minutes after a failure.
  stack.deps.now = () => new Date(Date.now() + offsetMs);
  stack.deps.autocertNames = { blocklist: ['forbidden-*'], allow: ['*.example.test'] };
});
afterAll(async () => {
  await release?.();
  await stack?.close();
});

/** As lua-resty-peter_sslers posts it: `?openresty=1`, body `domain_name=<name>`, no Content-Type (bytes: fetch adds none). */
const autocertForm = (name: string) => fetch(`${stack.admin.url}${PREFIX}/api/domain/autocert.json?openresty=1`, {
  method: 'POST', body: new TextEncoder().encode(`domain_name=${name}`),
});
/** As a user's curl --form would: multipart. */
const autocertCurl = (name: string) => {
  const form = new FormData();
  form.set('domain_name', name);
  return fetch(`${stack.admin.url}${PREFIX}/api/domain/autocert.json`, { method: 'POST', body: form });
};
const api = (path: string, body: unknown) => fetch(`${stack.admin.url}/api/v1${path}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});
const streamTypes = async (name: string) => (await stack.deps.store.readStream(autocertStream(name))).map((e) => e.type);
const domainRow = (name: string) => stack.deps.db.selectFrom('domains').selectAll().where('domain_name', '=', name).executeTakeFirst();
/** The renewal configurations (R1's read model) covering exactly this name. */
async function configurationsFor(name: string) {
  await stack.deps.projections.waitFor(await stack.deps.store.headPosition());
  const rows = await stack.deps.db.selectFrom('renewal_configurations').selectAll().execute();
  return rows.filter((r) => JSON.stringify(r.domain_names) === JSON.stringify([name]));
}
const setAutocertPolicy = () => setSystemPolicy(stack.deps, 'autocert', {
  primary: { accountId, keyTechnology: 'EC_P256', keyPolicy: 'single_use', profile: null }, backup: null,
});

describe('before the autocert policy is set', () => {
  it('judges the name first: blocklisted and not-allowed names are refused with nothing stored', async () => {
    const blocked = uniqueName('forbidden');
    const res = await autocertForm(blocked);
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ result: 'error', form_errors: { domain_name: 'This domain_name has been blocklisted' } });
    const outside = `outside-${Date.now()}.other.test`;
    const refused = await json(await autocertForm(outside));
    expect(refused.form_errors).toEqual({ domain_name: 'This domain_name is outside the allowed patterns' });
    expect(await streamTypes(blocked)).toEqual([]);
    expect(await streamTypes(outside)).toEqual([]);
    expect(await domainRow(blocked)).toBeUndefined();
  });

  it('refuses an allowed name until the policy is set', async () => {
    const name = uniqueName('early');
    const res = await autocertForm(name);
    expect(res.status).toBe(409);
    expect((await json(res)).message).toMatch(/autocert.*system policy has not been set/);
    expect(await streamTypes(name)).toEqual([]);
  });
});

describe('with the autocert policy', () => {
  const fresh = uniqueName('auto-new');
  let first: any; // eslint-disable-line @typescript-eslint/no-explicit-any

  beforeAll(async () => {
    await setAutocertPolicy();
  });

  it('obtains a certificate for a new name synchronously and answers with config.json\'s payload', async () => {
    const res = await autocertForm(fresh);
    first = await json(res);
    expect(res.status, JSON.stringify(first)).toBe(200);
    expect(first).toMatchObject({ result: 'success', notes: 'new AcmeOrder, valid', domain: { domain_name: fresh, is_active: true }, AcmeOrder: { id: expect.any(String) } });
    const served = first.certificate_signed__latest_single;
    expect(served.private_key.pem).toContain('PRIVATE KEY');
    expect(new X509Certificate(served.certificate.pem).subjectAltName).toBe(`DNS:${fresh}`);
    expect(first.x509_certificate__latest_single.id).toBe(served.id);
    expect(await streamTypes(fresh)).toEqual(['AutocertAttemptStarted', 'AutocertAttemptSucceeded']);
    const config = await json(await fetch(`${stack.admin.url}${PREFIX}/domain/${fresh}/config.json`));
    expect(config.certificate_signed__latest_single.id).toBe(served.id);
  });

  it('keeps the new certificate renewed: a renewal configuration with the autocert policy\'s issuer', async () => {
    const configurations = await configurationsFor(fresh);
    expect(configurations).toHaveLength(1);
    expect(configurations[0]).toMatchObject({ acme_account_id: accountId, key_technology: 'EC_P256', key_policy: 'single_use', is_auto_renew: true, is_active: true });
    expect(configurations[0]!.latest_certificate_id).toBe(first.certificate_signed__latest_single.id);
  });

  it('answers an existing name from the catalog, without an order', async () => {
    const body = await json(await autocertCurl(fresh));
    expect(body).toMatchObject({ result: 'success', notes: 'existing certificate(s)' });
    expect(body.certificate_signed__latest_single.id).toBe(first.certificate_signed__latest_single.id);
    expect(body.AcmeOrder).toBeUndefined();
    expect(await streamTypes(fresh)).toEqual(['AutocertAttemptStarted', 'AutocertAttemptSucceeded']);
  });

  it('lets a concurrent second request join the first: one attempt, one order', async () => {
    const name = uniqueName('auto-race');
    const [a, b] = await Promise.all([api('/autocert', { domain_name: name }), api('/autocert', { domain_name: name })]);
    const [bodyA, bodyB] = [await json(a), await json(b)];
    expect([a.status, b.status], JSON.stringify([bodyA, bodyB])).toEqual([201, 201]);
    expect(bodyA.order_id).toBe(bodyB.order_id);
    expect([bodyA.joined, bodyB.joined].sort()).toEqual([false, true]);
    expect(bodyA.config.certificate_signed__latest_single.id).toBe(bodyA.certificate_id);
    expect(await streamTypes(name)).toEqual(['AutocertAttemptStarted', 'AutocertAttemptSucceeded']);
    expect((await configurationsFor(name)).map((c) => c.id)).toEqual([bodyA.renewal_configuration_id]);
  });

  it('two processes racing for one name: one order, the other refused before any ACME work', async () => {
    const name = uniqueName('auto-two');
    // Another process: the same database, but not this process's running attempts.
    const elsewhere = { ...stack.orderDeps, store: Object.create(stack.deps.store) as typeof stack.deps.store };
    const settled = await Promise.allSettled([autocert(stack.orderDeps, { domainName: name }), autocert(elsewhere, { domainName: name })]);
    const won = settled.filter((s) => s.status === 'fulfilled');
    const lost = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(won).toHaveLength(1);
    expect((won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof autocert>>>).value.outcome).toBe('issued');
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(AutocertInProgressError);
    expect(await streamTypes(name)).toEqual(['AutocertAttemptStarted', 'AutocertAttemptSucceeded']);
    const orders = await stack.deps.db.selectFrom('acme_orders').select('id').execute();
    const forName = [];
    for (const o of orders) {
      const events = await stack.deps.store.readStream(acmeOrderStreams.acmeOrder(o.id));
      if (JSON.stringify(events[0]?.data).includes(name)) forName.push(o.id);
    }
    expect(forName).toHaveLength(1);
  });

  it('refuses while another process holds the attempt', async () => {
    const name = uniqueName('auto-held');
    const now = stack.deps.now();
    await handleCommand(stack.deps.store, autocertStream(name), autocertDecider, {
      type: 'StartAutocertAttempt', domainName: name, attemptId: 'elsewhere', now: now.toISOString(), staleBefore: new Date(now.getTime() - 600_000).toISOString(),
    });
    const res = await autocertForm(name);
    expect(res.status).toBe(409);
    expect((await json(res)).message).toMatch(/in progress/);
  });

  it('records a failure, refuses the name for ten minutes, then tries again', async () => {
    const name = uniqueName('auto-fail');
    await stack.pebble.challtestsrv.addA(name, ['127.0.0.2']); // nothing listens there
    const failed = await json(await autocertForm(name));
    expect(failed).toMatchObject({
      result: 'error', notes: 'new AcmeOrder, invalid', AcmeOrder: { id: expect.any(String) },
      domain: null, certificate_signed__latest_single: null, certificate_signed__latest_multi: null,
    });
    const events = await stack.deps.store.readStream(autocertStream(name));
    expect(events.map((e) => e.type)).toEqual(['AutocertAttemptStarted', 'AutocertAttemptFailed']);
    const failure = events[1]!.data as { failedAt: string; retryNotBefore: string; orderId: string; reason: string };
    expect(new Date(failure.retryNotBefore).getTime() - new Date(failure.failedAt).getTime()).toBe(600_000);
    expect(failure.orderId).toBe(failed.AcmeOrder.id);
    expect(failure.reason).toBeTruthy();

    await stack.pebble.challtestsrv.clearA(name);
    const refused = await autocertForm(name);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await json(refused)).retry_after).toBe(failure.retryNotBefore);
    offsetMs = 9 * 60_000;
    expect((await autocertForm(name)).status).toBe(429);
    offsetMs = 10 * 60_000 + 5_000;
    const allowed = await json(await autocertForm(name));
    expect(allowed, JSON.stringify(allowed)).toMatchObject({ result: 'success', notes: 'new AcmeOrder, valid' });
    expect(await streamTypes(name)).toEqual(['AutocertAttemptStarted', 'AutocertAttemptFailed', 'AutocertAttemptStarted', 'AutocertAttemptSucceeded']);
  });
});

describe('certificate-if-needed', () => {
  it('reports each name: new, existing, blocklisted, and a failing one', async () => {
    const existing = uniqueName('cin-existing');
    expect((await json(await api('/certificate-if-needed', { domain_names: [existing], acme_account_id: accountId }))).domains[0])
      .toMatchObject({ domain_status: 'new', certificate_status: 'new' });
    const fresh = uniqueName('cin-new');
    const blocked = uniqueName('forbidden-cin');
    const bad = uniqueName('cin-fail');
    await stack.pebble.challtestsrv.addA(bad, ['127.0.0.2']);
    const res = await api('/certificate-if-needed', { domain_names: [fresh, existing, blocked, bad], acme_account_id: accountId, key_technology: 'RSA_2048' });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    const byName = Object.fromEntries(body.domains.map((d: { domain_name: string }) => [d.domain_name, d]));
    expect(byName[fresh]).toMatchObject({ domain_status: 'new', certificate_status: 'new', certificate_id: expect.any(String), order_id: expect.any(String), domain_id: expect.any(String) });
    expect((await configurationsFor(fresh)).map((c) => [c.id, c.key_technology])).toEqual([[byName[fresh].renewal_configuration_id, 'RSA_2048']]);
    expect(byName[bad].renewal_configuration_id).toBeNull();
    expect(byName[existing]).toMatchObject({ domain_status: 'existing', certificate_status: 'exists', order_id: null, certificate_id: expect.any(String) });
    expect(byName[blocked]).toMatchObject({ domain_status: 'blocklisted', certificate_status: null, order_id: null });
    expect(byName[bad]).toMatchObject({ domain_status: 'new', certificate_status: 'fail', certificate_id: null, order_id: expect.any(String) });
    const { certificate } = await json(await fetch(`${stack.admin.url}/api/v1/certificates/${byName[fresh].certificate_id}`));
    expect(certificate.key_technology).toMatch(/RSA/);
  });

  it('answers on the peter_sslers path with its per-domain keys', async () => {
    const name = uniqueName('cin-compat');
    const form = new FormData();
    form.set('domain_name', name);
    form.set('account_key_option__primary', 'account_key_existing');
    form.set('account_key_existing__primary', accountId);
    form.set('processing_strategy', 'process_single');
    const body = await json(await fetch(`${stack.admin.url}${PREFIX}/api/domain/certificate-if-needed.json`, { method: 'POST', body: form }));
    expect(body).toMatchObject({ result: 'success', domain_results: { [name]: { 'domain.status': 'new', 'certificate_signed.status': 'new', 'acme_order.id': expect.any(String) } } });
  });

  it('validates a named profile against the directory (this Pebble offers none): the name fails, no order is made', async () => {
    const name = uniqueName('cin-profile');
    const body = await json(await api('/certificate-if-needed', { domain_names: [name], acme_account_id: accountId, acme_profile: 'shortlived' }));
    expect(body.domains[0]).toMatchObject({ domain_status: 'new', certificate_status: 'fail', order_id: null, reason: expect.stringMatching(/profile/) });
  });

  it('needs an account: named, or from the certificate-if-needed policy', async () => {
    const res = await api('/certificate-if-needed', { domain_names: [uniqueName('cin-none')] });
    expect(res.status).toBe(400);
    expect((await json(res)).form_errors.acme_account_id).toMatch(/certificate-if-needed/);
  });
});
