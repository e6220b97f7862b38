/**
 * Orders answered by dns-01 through the DNS provider port (its challtestsrv adapter): records set
 * before the trigger and removed after; every certificate key technology; issuance timing.
 */
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import { KEY_TECHNOLOGIES } from '../../src/domain/acme-order/key-cycle.js';
import { json } from '../support/app.js';
import { resolveTxtAt } from '../support/dns-lookup.js';
import { chainVerifies, newAccount, rootIndexOf, startOrderStack, stepsText, uniqueName, type OrderStack } from './orders-support.js';

let stack: OrderStack;
let accountId: string;

beforeAll(async () => {
  stack = await startOrderStack(inject('pebble'));
  accountId = await newAccount(stack);
});
afterAll(async () => {
  await stack?.close();
});

const post = (path: string, body: unknown) => fetch(`${stack.admin.url}/api/v1${path}`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
});

describe('dns-01', () => {
  it('issues for a name and its wildcard through challtestsrv, and takes the TXT records down afterwards', async () => {
    const apex = uniqueName('dns');
    const other = uniqueName('dns-other');
    const res = await post('/acme-orders', {
      account_id: accountId,
      identifiers: [{ value: apex, challenge_type: 'dns-01' }, { value: `*.${apex}`, challenge_type: 'dns-01' }, { value: other, challenge_type: 'dns-01' }],
      process: 'all',
    });
    const body = await json(res);
    expect(res.status).toBe(201);
    expect(body.result, JSON.stringify(body.steps)).toBe('success');
    const order = body.order;
    expect(order.status).toBe('valid');
    for (const authorization of order.authorizations) {
      const dns01 = authorization.challenges.find((c: { type: string }) => c.type === 'dns-01');
      expect(dns01).toMatchObject({ status: 'valid', dns_provider: 'challtestsrv', dns_record_state: 'removed', dns_record_name: `_acme-challenge.${authorization.identifier.value}` });
    }
    expect(order.authorizations.filter((a: { is_wildcard: boolean }) => a.is_wildcard)).toHaveLength(1);
    const dnsServer = { host: '127.0.0.1', port: stack.pebble.ports.dns };
    expect(await resolveTxtAt(dnsServer, `_acme-challenge.${apex}`)).toEqual([]);
    expect(await resolveTxtAt(dnsServer, `_acme-challenge.${other}`)).toEqual([]);

    const events = (await json(await fetch(`${stack.admin.url}/api/v1/acme-orders/${order.id}/events`))).items.map((e: { type: string }) => e.type);
    expect(events.filter((t: string) => t === 'AcmeDnsRecordSet')).toHaveLength(3);
    expect(events.filter((t: string) => t === 'AcmeDnsRecordRemoved')).toHaveLength(3);
    // Published before the CA was told to look, removed after it validated.
    expect(events.lastIndexOf('AcmeDnsRecordSet')).toBeLessThan(events.indexOf('AcmeChallengeTriggered'));
    expect(events.indexOf('AcmeDnsRecordRemoved')).toBeGreaterThan(events.lastIndexOf('AcmeAuthorizationSynced') - 1);

    const roots = await stack.pebble.roots();
    const { certificate } = await json(await fetch(`${stack.admin.url}/api/v1/certificates/${order.certificate_id}`));
    const reached = [];
    for (const chain of certificate.ca_chains) {
      const text = await (await fetch(`${stack.admin.url}/api/v1/certificates/${order.certificate_id}/via-chain/${chain.id}/fullchain.pem`)).text();
      const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)!;
      expect(chainVerifies(pems)).toBe(true);
      reached.push(rootIndexOf(pems, roots));
    }
    expect(reached.sort()).toEqual([0, 1, 2]);
  });

  it('refuses dns-01 names when no DNS provider is configured', async () => {
    const deps = { ...stack.orderDeps, dns: undefined };
    await expect(createAcmeOrder(deps, { accountId, identifiers: [{ type: 'dns', value: uniqueName('no-dns'), challengeType: 'dns-01' }], processing: 'all' }))
      .rejects.toMatchObject({ fields: { identifiers: expect.stringContaining('DNS provider') } });
  });
});

describe('certificate key technologies', () => {
  it.each(KEY_TECHNOLOGIES.map((t) => [t]))('issues with a %s key generated for the order', async (technology) => {
    const created = await createAcmeOrder(stack.orderDeps, {
      accountId,
      identifiers: [{ type: 'dns', value: uniqueName(technology.toLowerCase().replace('_', '-')), challengeType: 'dns-01' }],
      keyPolicy: 'single_use',
      keyTechnology: technology,
      processing: 'all',
    });
    expect(created.report.next, stepsText(created.report.steps)).toBe('done');
    const events = await stack.deps.store.readStream(`acmeOrder-${created.orderId}`);
    const downloaded = events.find((e) => e.type === 'AcmeCertificateDownloaded')!.data as { certificateId: string };
    await stack.deps.projections.waitFor(events.at(-1)!.position);
    const row = await stack.deps.db.selectFrom('certificates').select(['key_technology', 'private_key_id', 'pem']).where('id', '=', downloaded.certificateId).executeTakeFirstOrThrow();
    expect(row.key_technology).toBe(technology);
    const key = await stack.deps.db.selectFrom('private_keys').select(['source', 'key_technology']).where('id', '=', row.private_key_id).executeTakeFirstOrThrow();
    expect(key).toEqual({ source: 'generated', key_technology: technology });
    const publicKey = new X509Certificate(row.pem).publicKey;
    expect(publicKey.asymmetricKeyType).toBe(technology.startsWith('RSA') ? 'rsa' : 'ec');
  });
});

describe('timing (printed, not asserted)', () => {
  it('issues single-name certificates by dns-01: one at a time, then 10 in parallel', async () => {
    const issue = async () => {
      const t0 = performance.now();
      const body = await json(await post('/acme-orders', { account_id: accountId, domain_names_dns01: [uniqueName('timed-dns')], process: 'all' }));
      expect(body.result, JSON.stringify(body.steps)).toBe('success');
      return performance.now() - t0;
    };
    await issue();
    const sequential: number[] = [];
    for (let i = 0; i < 5; i += 1) sequential.push(await issue());
    const t0 = performance.now();
    const parallel = await Promise.all(Array.from({ length: 10 }, issue));
    const wall = performance.now() - t0;
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`[timing dns-01] per certificate (sequential, n=5): avg ${avg(sequential).toFixed(0)} ms, min ${Math.min(...sequential).toFixed(0)} ms, max ${Math.max(...sequential).toFixed(0)} ms`);
    console.log(`[timing dns-01] 10 in parallel: ${wall.toFixed(0)} ms wall, ${(wall / 10).toFixed(0)} ms per certificate, slowest ${Math.max(...parallel).toFixed(0)} ms`);
  }, 180_000);
});
