/**
 * ARI (RFC 9773) against the real Pebble, behind the test responder that adds renewalInfo:
 * a certificate issued by Pebble is polled, its window and drawn renewal time land on the
 * certificate's stream and in ari_renewal_info; a 503 is recorded with its Retry-After; the
 * poll schedule picks what is due and only that.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import { dueForAriPoll, pollDueRenewalInfo } from '../../src/commands/renewal/ari/poll-due.js';
import { ariTargetOf, pollRenewalInfo } from '../../src/commands/renewal/ari/poll-renewal-info.js';
import type { AriDeps } from '../../src/commands/renewal/ari/deps.js';
import { ariStreamName } from '../../src/domain/ari/events.js';
import { ariCertificateIdentifier } from '../../src/infra/acme/ari.js';
import { startAriResponder, type AriResponder } from '../support/ari-responder.js';
import { newAccount, startOrderStack, stepsText, uniqueName, type OrderStack } from './orders-support.js';

for (const kind of ['pglite', 'postgres'] as const) {
describe(kind, () => {
  let responder: AriResponder;
  let stack: OrderStack;
  let ari: AriDeps;
  let certificateId: string;
  let clock = Date.now();

  beforeAll(async () => {
    responder = await startAriResponder(inject('pebble'));
    stack = await startOrderStack({ ...inject('pebble'), directoryUrl: responder.directoryUrl, caPem: responder.caPem }, kind);
    const accountId = await newAccount(stack);
    const created = await createAcmeOrder(stack.orderDeps, { accountId, identifiers: [{ type: 'dns', value: uniqueName('ari'), challengeType: 'dns-01' }], processing: 'all' });
    expect(created.report.steps.every((s) => s.ok), stepsText(created.report.steps)).toBe(true);
    await stack.deps.projections.waitFor(await stack.deps.store.headPosition());
    const order = await stack.deps.db.selectFrom('acme_orders').select('certificate_id').where('id', '=', created.orderId).executeTakeFirstOrThrow();
    certificateId = order.certificate_id!;
    const draws = [0.5, 0.5, 0.25, 0.25];
    ari = { ...stack.deps, now: () => new Date(clock), random: () => draws.shift() ?? 0.5 };
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await responder?.close();
  });

  const rowOf = (id: string) => stack.deps.db.selectFrom('ari_renewal_info').selectAll().where('certificate_id', '=', id).executeTakeFirst();
  const settle = async (position: bigint | null) => { if (position !== null) await stack.deps.projections.waitFor(position); };

  describe(`renewalInfo through the responder in front of Pebble (${kind})`, () => {
    it('the directory offers renewalInfo and profiles', async () => {
      const directory = await (await stack.deps.acme.transportFor(stack.acmeServerId!)).directory();
      expect(directory.renewalInfo).toMatch(/\/renewal-info$/);
      expect(Object.keys(directory.meta.profiles ?? {})).toEqual(['classic', 'shortlived']);
    });

    it('is due for a first poll, then records the window, Retry-After, a time inside the window and the next poll', async () => {
      expect((await dueForAriPoll(ari, new Date(clock), 10)).map((t) => t.certificateId)).toContain(certificateId);
      const target = await ariTargetOf(ari, certificateId);
      const identifier = ariCertificateIdentifier(target.pem);
      const start = new Date(clock + 86_400_000).toISOString();
      const end = new Date(clock + 3 * 86_400_000).toISOString();
      responder.answers.set(identifier, { status: 200, retryAfter: 3600, body: { suggestedWindow: { start, end }, explanationURL: 'https://ca.example/why' } });

      const outcome = await pollRenewalInfo(ari, target);
      expect(outcome.ok).toBe(true);
      await settle(outcome.position);
      expect(responder.renewalInfoRequests).toContain(identifier);
      const [event] = await stack.deps.store.readStream(ariStreamName(certificateId));
      expect(event).toMatchObject({
        type: 'AriRenewalInfoFetched',
        data: {
          certificateId, ariIdentifier: identifier, suggestedWindow: { start, end }, explanationUrl: 'https://ca.example/why', retryAfter: 3600,
          chosenRenewalTime: new Date(clock + 2 * 86_400_000).toISOString(),
          nextPollAt: new Date(clock + 3_600_000).toISOString(),
        },
      });
      const row = await rowOf(certificateId);
      expect(row).toMatchObject({ ari_identifier: identifier, explanation_url: 'https://ca.example/why', last_retry_after: 3600, consecutive_failures: 0 });
      expect(new Date(row!.chosen_renewal_time!).getTime()).toBe(clock + 2 * 86_400_000);
      // Not due again before Retry-After has passed.
      expect((await dueForAriPoll(ari, new Date(clock), 10)).map((t) => t.certificateId)).not.toContain(certificateId);
      expect((await dueForAriPoll(ari, new Date(clock + 3_600_000), 10)).map((t) => t.certificateId)).toContain(certificateId);
    });

    it('records a 503 with its Retry-After and keeps the last window', async () => {
      clock += 3_600_000;
      const target = await ariTargetOf(ari, certificateId);
      responder.answers.set(ariCertificateIdentifier(target.pem), { status: 503, retryAfter: 600 });
      const outcome = await pollRenewalInfo(ari, target);
      expect(outcome.ok).toBe(false);
      await settle(outcome.position);
      const events = await stack.deps.store.readStream(ariStreamName(certificateId));
      expect(events.at(-1)).toMatchObject({ type: 'AriRenewalInfoFetchFailed', data: { status: 503, retryAfter: 600, consecutiveFailures: 1, nextPollAt: new Date(clock + 600_000).toISOString() } });
      const row = await rowOf(certificateId);
      expect(row).toMatchObject({ consecutive_failures: 1, last_retry_after: 600 });
      expect(new Date(row!.chosen_renewal_time!).getTime()).toBe(clock - 3_600_000 + 2 * 86_400_000);
      expect(new Date(row!.next_poll_at).getTime()).toBe(clock + 600_000);
    });

    it('a scheduled pass polls what is due, once', async () => {
      clock += 600_000;
      responder.answers.clear();
      const first = await pollDueRenewalInfo(ari, { limit: 50, concurrency: 2 });
      expect(first.polled).toBeGreaterThanOrEqual(1);
      expect(first.failed).toBe(0);
      await stack.deps.projections.waitFor(await stack.deps.store.headPosition());
      const row = await rowOf(certificateId);
      expect(row).toMatchObject({ consecutive_failures: 0 });
      const second = await pollDueRenewalInfo(ari, { limit: 50 });
      expect(second.polled).toBe(0);
    });

    it('answers over the admin API, and polls on demand', async () => {
      const api = `${stack.admin.url}/api/v1/certificates/${certificateId}/renewal-info`;
      const shown = await (await fetch(api)).json();
      expect(shown).toMatchObject({ certificate_id: certificateId, consecutive_failures: 0, suggested_window: { start: expect.any(String), end: expect.any(String) } });
      const polled = await fetch(`${api}/poll`, { method: 'POST' });
      expect(polled.status).toBe(200);
      expect(await polled.json()).toMatchObject({ result: 'success', renewal_info: { certificate_id: certificateId, last_retry_after: 21_600 } });
      expect((await fetch(`${stack.admin.url}/api/v1/certificates/00000000-0000-4000-8000-000000000000/renewal-info`)).status).toBe(404);
    });
  });
});
}
