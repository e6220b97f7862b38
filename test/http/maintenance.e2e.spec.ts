import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createTestChain, type TestChain } from '../support/pki.js';

const PREFIX = '/.well-known/peter_sslers';
const DAY = 86_400_000;
/** X.509 times have whole seconds: a boundary instant must too. */
const wholeSecond = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

describe.each(['pglite', 'postgres'] as const)('update-recents and deactivate-expired on %s', (kind) => {
  let stack: TestStack;
  const run = randomBytes(4).toString('hex');
  const name = (label: string) => `${label}-${run}.maintenance.test`;

  const upload = async (c: TestChain): Promise<string> => {
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: c.leaf.keyPem, certificate_file: c.leaf.certPem, chain_file: c.chainPem }),
    });
    expect(res.status).toBe(200);
    return (await json(res)).certificate.id;
  };
  const post = async (path: string) => {
    const res = await fetch(`${stack.admin.url}${path}`, { method: 'POST' });
    expect(res.status, path).toBe(200);
    return json(res);
  };
  const latestSingle = async (domain: string): Promise<string | null> =>
    (await json(await fetch(`${stack.admin.url}${PREFIX}/domain/${domain}/config.json?idonly=1`))).certificate_signed__latest_single?.id ?? null;
  const certificate = async (id: string) => (await json(await fetch(`${stack.admin.url}/api/v1/certificates/${id}`))).certificate;
  const lifecycle = (id: string) =>
    stack.handle.db.selectFrom('certificates').select(['is_active', 'deactivation_reason']).where('id', '=', id).executeTakeFirstOrThrow();
  /** The routes read deps.now at request time: the test moves the clock. */
  const setClock = (at: Date) => { stack.deps.now = () => at; };

  beforeAll(async () => {
    stack = await startTestStack(kind);
  });
  afterEach(() => { stack.deps.now = () => new Date(); });
  afterAll(async () => stack?.close());

  it('update-recents repairs recents that drifted, and reports how many domains changed', async () => {
    const domain = name('drift');
    const id = await upload(await createTestChain({ names: [domain] }));
    await sql`UPDATE domains SET certificate_latest_single_id = NULL WHERE domain_name = ${domain}`.execute(stack.handle.db);
    expect(await latestSingle(domain)).toBeNull();

    expect(await post(`${PREFIX}/api/update-recents.json`)).toEqual({ result: 'success', operations_event: null, domains_changed: 1 });
    expect(await latestSingle(domain)).toBe(id);
    expect(await post('/api/v1/maintenance/update-recents')).toEqual({ result: 'success', domains_changed: 0 });
  });

  it('keeps an expired certificate that is still a domain latest, and deactivates it once a newer import replaces it', async () => {
    const domain = name('seed');
    const old = await upload(await createTestChain({ names: [domain], notAfter: new Date(Date.now() + 10 * DAY) }));
    setClock(new Date(Date.now() + 20 * DAY));

    const kept = await post(`${PREFIX}/api/deactivate-expired.json`);
    expect(kept).toMatchObject({ result: 'success', CertificateSigned: { expired: 0 }, certificate_ids: [] });
    expect(kept.kept_as_latest_ids).toContain(old);
    expect(await latestSingle(domain)).toBe(old);
    expect(await lifecycle(old)).toEqual({ is_active: true, deactivation_reason: null });

    const fresh = await upload(await createTestChain({ names: [domain], notAfter: new Date(Date.now() + 90 * DAY) }));
    expect(await latestSingle(domain)).toBe(fresh);
    const swept = await post('/api/v1/maintenance/deactivate-expired');
    expect(swept).toMatchObject({ result: 'success', count: 1, certificate_ids: [old] });
    expect(swept.kept_as_latest_ids).not.toContain(old);
    expect(await lifecycle(old)).toEqual({ is_active: false, deactivation_reason: 'expired' });
    expect(await certificate(fresh)).toMatchObject({ is_active: true });

    const events = await stack.deps.store.readStream(`certificate-${old}`);
    expect(events.at(-1)).toMatchObject({ type: 'CertificateDeactivated', data: { reason: 'expired', cause: 'expired', actor: 'api' }, metadata: { actor: 'api' } });
    const before = await stack.deps.store.headPosition();
    expect(await post(`${PREFIX}/api/deactivate-expired.json`)).toMatchObject({ CertificateSigned: { expired: 0 } });
    expect(await stack.deps.store.headPosition()).toBe(before);
  });

  it('is inclusive of not_after: exactly now stays active, one second earlier is deactivated', async () => {
    const domain = name('boundary');
    const now = wholeSecond(Date.now() + 5 * DAY);
    const atNow = await upload(await createTestChain({ names: [domain], notAfter: now }));
    const secondEarlier = await upload(await createTestChain({ names: [domain], notAfter: new Date(now.getTime() - 1000) }));
    // A newer certificate is the domain's latest, so the seed rule protects neither of the two.
    const newest = await upload(await createTestChain({ names: [domain], notAfter: new Date(now.getTime() + 30 * DAY) }));
    expect(await latestSingle(domain)).toBe(newest);
    expect((await certificate(atNow)).not_after).toBe(now.toISOString());

    setClock(now);
    const first = await post('/api/v1/maintenance/deactivate-expired');
    expect(first.certificate_ids).toEqual([secondEarlier]);
    expect(await lifecycle(atNow)).toMatchObject({ is_active: true });

    setClock(new Date(now.getTime() + 1000));
    const second = await post('/api/v1/maintenance/deactivate-expired');
    expect(second.certificate_ids).toEqual([atNow]);
    expect(await lifecycle(atNow)).toEqual({ is_active: false, deactivation_reason: 'expired' });
    expect(await latestSingle(domain)).toBe(newest);
  });
});
