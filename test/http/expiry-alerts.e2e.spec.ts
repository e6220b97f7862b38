import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiryAlertStreams } from '../../src/domain/shared/ids.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createTestChain } from '../support/pki.js';

const DAY = 86_400_000;
const PREFIX = '/.well-known/peter_sslers';

describe('expiry alerts: served certificates that may expire before they are renewed', () => {
  let stack: TestStack;
  let clock = Date.now();
  beforeAll(async () => {
    stack = await startTestStack('pglite', { now: () => new Date(clock) });
  });
  afterAll(async () => stack?.close());

  const upload = async (names: string[], daysLeft: number) => {
    const chain = await createTestChain({ names, notBefore: new Date(clock - DAY), notAfter: new Date(clock + daysLeft * DAY) });
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: chain.leaf.keyPem, certificate_file: chain.leaf.certPem, chain_file: chain.chainPem }),
    });
    expect(res.status).toBe(200);
    return (await json(res)).certificate.id as string;
  };
  const sweep = async () => json(await fetch(`${stack.admin.url}/api/v1/maintenance/expiry-alerts`, { method: 'POST' }));

  it('lists and alerts once per level, follows the clock, and stops once a newer certificate is served', async () => {
    const soon = await upload(['soon.alerts.example.test'], 20);
    await upload(['later.alerts.example.test'], 60);

    const listed = await json(await fetch(`${stack.admin.url}/api/v1/expiry-alerts`));
    expect(listed.items).toEqual([expect.objectContaining({ certificate_id: soon, domain_names: ['soon.alerts.example.test'], days_left: 19, risk: 'no_renewal', level: 30, renewal_configuration_id: null })]);

    expect((await sweep()).raised).toMatchObject([{ certificate_id: soon, level: 30 }]);
    expect((await sweep()).raised).toEqual([]);

    clock += 15 * DAY;
    expect((await sweep()).raised).toMatchObject([{ certificate_id: soon, level: 7 }]);
    const events = await stack.deps.store.readStream(expiryAlertStreams.expiryAlert(soon));
    expect(events.map((e) => (e.data as { level: number }).level)).toEqual([30, 7]);
    const history = await json(await fetch(`${stack.admin.url}/api/v1/domains/soon.alerts.example.test/history`));
    expect(JSON.stringify(history)).toContain('CertificateExpiryAlertRaised');

    await upload(['soon.alerts.example.test'], 90);
    expect((await json(await fetch(`${stack.admin.url}/api/v1/expiry-alerts`))).items).toEqual([]);
    expect((await sweep()).raised).toEqual([]);
  });
});
