/**
 * Renewal against the real Pebble with an injected clock: a configuration is renewed by the run
 * when due and not before; a backup account takes over after three failures of a deactivated
 * primary; two runners racing make one order; the renewal queue.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deactivateAcmeAccount } from '../../src/commands/acme-account/deactivate-acme-account.js';
import { createRenewalConfiguration } from '../../src/commands/renewal/create-renewal-configuration.js';
import { attemptRenewal } from '../../src/commands/renewal/attempt.js';
import { processRenewalQueue, processRenewalQueueLoop, updateRenewalQueue } from '../../src/commands/renewal/queue.js';
import { runRenewals } from '../../src/commands/renewal/run.js';
import { startRenewalScheduler } from '../../src/commands/renewal/scheduler.js';
import type { RenewalDeps } from '../../src/commands/renewal/deps.js';
import { renewalConfigurationStream } from '../../src/domain/renewal-configuration/events.js';
import { newAccount, startOrderStack, uniqueName, type OrderStack } from '../acme/orders-support.js';

let stack: OrderStack;
let clock: Date;
let deps: RenewalDeps;

beforeAll(async () => {
  stack = await startOrderStack(inject('pebble'));
  clock = new Date();
  deps = { ...stack.orderDeps, now: () => clock };
});
afterAll(async () => {
  await stack?.close();
});

const DAY = 86_400_000;
const later = (ms: number) => { clock = new Date(clock.getTime() + ms); };

/** Read-your-writes on the configuration's read model. */
async function settled(configurationId: string): Promise<void> {
  const last = (await stack.deps.store.readStream(renewalConfigurationStream(configurationId))).at(-1);
  if (last) await stack.deps.projections.waitFor(last.position);
}

const row = (id: string) => stack.handle.db.selectFrom('renewal_configurations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const ordersFor = (domain: string) => stack.handle.db.selectFrom('acme_orders').select(['id', 'acme_account_id', 'certificate_id'])
  .where('domain_names', '@>', JSON.stringify([domain]) as never).execute();

async function configurationFor(accountId: string, extra: { backupAccountId?: string } = {}) {
  const name = uniqueName('renew');
  const { configurationId } = await createRenewalConfiguration(deps, {
    identifiers: [{ type: 'dns', value: name, challengeType: 'dns-01' }],
    primary: { accountId },
    backup: extra.backupAccountId ? { accountId: extra.backupAccountId } : null,
  });
  await settled(configurationId);
  return { configurationId, name };
}

/** Only this test's configuration: other tests' rows in the same database must not interfere. */
const runOnly = async (configurationId: string) => {
  const report = await runRenewals(deps, { batchSize: 5, concurrency: 2 });
  await settled(configurationId);
  return report.outcomes.filter((o) => o.configurationId === configurationId);
};

describe('renewal run', () => {
  it('orders a configuration without a certificate at once, then renews only when a third of the lifetime remains', async () => {
    const accountId = await newAccount(stack);
    const { configurationId, name } = await configurationFor(accountId);

    const [first] = await runOnly(configurationId);
    expect(first, JSON.stringify(first)).toMatchObject({ claimed: true, ok: true, useBackup: false });
    const issued = await row(configurationId);
    expect(issued.latest_certificate_id).toBe(first!.claimed && first!.ok ? first!.certificateId : null);
    const notBefore = new Date(issued.latest_not_before!).getTime();
    const notAfter = new Date(issued.latest_not_after!).getTime();
    const renewAt = notAfter - (notAfter - notBefore) / 3;
    expect(Math.abs(new Date(issued.renew_at!).getTime() - renewAt)).toBeLessThan(1000);

    clock = new Date(renewAt - DAY);
    expect(await runOnly(configurationId)).toEqual([]);
    expect(await ordersFor(name)).toHaveLength(1);

    clock = new Date(renewAt + 60_000);
    const [second] = await runOnly(configurationId);
    expect(second, JSON.stringify(second)).toMatchObject({ claimed: true, ok: true });
    expect(await ordersFor(name)).toHaveLength(2);
    // RFC 9773 §5: the renewal order names the certificate it replaces.
    const secondOrder = second!.claimed ? second!.orderId : '';
    const orderCreated = (await stack.deps.store.readStream(`acmeOrder-${secondOrder}`)).find((e) => e.type === 'AcmeOrderCreated');
    expect((orderCreated?.data as { replaces?: string }).replaces).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);

    // Lineage: each certificate knows the one it replaced and the one that replaced it.
    const firstId = first!.claimed && first!.ok ? first!.certificateId : '';
    const secondId = second!.claimed && second!.ok ? second!.certificateId : '';
    const lineage = await stack.handle.db.selectFrom('certificate_lineage').selectAll().where('certificate_id', 'in', [firstId, secondId]).execute();
    expect(lineage.find((l) => l.certificate_id === firstId)).toMatchObject({ replaced_by_certificate_id: secondId });
    expect(lineage.find((l) => l.certificate_id === secondId)).toMatchObject({ replaces_certificate_id: firstId, renewal_configuration_id: configurationId });
    clock = new Date();
  });

  it('renews early when the ARI chosen time (RFC 9773) comes before the lifetime rule', async () => {
    const accountId = await newAccount(stack);
    const { configurationId, name } = await configurationFor(accountId);
    const [first] = await runOnly(configurationId);
    expect(first).toMatchObject({ claimed: true, ok: true });
    const issued = await row(configurationId);
    const early = new Date(new Date(issued.latest_not_before!).getTime() + DAY);
    // As R2's poller records it: the time chosen inside the CA's suggested window.
    await sql`insert into ari_renewal_info (certificate_id, acme_server_id, ari_identifier, chosen_renewal_time, next_poll_at, updated_at)
      values (${issued.latest_certificate_id}, ${stack.acmeServerId}, ${'x.y'}, ${early}, ${early}, ${early})`.execute(stack.handle.db);
    clock = new Date(early.getTime() - 60_000);
    expect(await runOnly(configurationId)).toEqual([]);
    clock = new Date(early.getTime() + 60_000);
    expect(await runOnly(configurationId)).toEqual([expect.objectContaining({ claimed: true, ok: true })]);
    expect(await ordersFor(name)).toHaveLength(2);
    clock = new Date();
  });

  it('backs off after failures and switches to the backup account after three primary failures', async () => {
    const primary = await newAccount(stack);
    const backup = await newAccount(stack);
    const { configurationId, name } = await configurationFor(primary, { backupAccountId: backup });
    // Register the primary through one manual order, then deactivate it at the CA.
    const manual = await attemptRenewal(deps, configurationId, 'manual');
    expect(manual).toMatchObject({ claimed: true, ok: true });
    await deactivateAcmeAccount(stack.deps, primary);
    await settled(configurationId);
    const renewAt = new Date((await row(configurationId)).renew_at!).getTime();

    clock = new Date(renewAt + 1000);
    const backoffs = [60_000, 600_000, 6_000_000];
    for (const [index, backoff] of backoffs.entries()) {
      const [failed] = await runOnly(configurationId);
      expect(failed, JSON.stringify(failed)).toMatchObject({ claimed: true, ok: false, useBackup: false });
      const r = await row(configurationId);
      expect(r.consecutive_failures).toBe(index + 1);
      expect(new Date(r.next_attempt_at!).getTime()).toBe(clock.getTime() + backoff);
      // Still backing off a moment before the time is up.
      later(backoff - 1000);
      expect(await runOnly(configurationId)).toEqual([]);
      later(1000);
    }
    const [rescued] = await runOnly(configurationId);
    expect(rescued, JSON.stringify(rescued)).toMatchObject({ claimed: true, ok: true, useBackup: true });
    const orders = await ordersFor(name);
    expect(orders.filter((o) => o.acme_account_id === backup && o.certificate_id)).toHaveLength(1);
    const r = await row(configurationId);
    expect(r).toMatchObject({ consecutive_failures: 0, primary_failures: 0, next_attempt_at: null, latest_certificate_id: rescued!.claimed && rescued!.ok ? rescued!.certificateId : '' });
    clock = new Date();
  }, 90_000);

  it('two runners racing make one order', async () => {
    const accountId = await newAccount(stack);
    const { configurationId, name } = await configurationFor(accountId);
    const [a, b] = await Promise.all([runRenewals(deps, { batchSize: 5 }), runRenewals(deps, { batchSize: 5 })]);
    const mine = [...a.outcomes, ...b.outcomes].filter((o) => o.configurationId === configurationId);
    expect(mine.filter((o) => o.claimed)).toHaveLength(1);
    expect(await ordersFor(name)).toHaveLength(1);
    const started = (await stack.deps.store.readStream(renewalConfigurationStream(configurationId))).filter((e) => e.type === 'RenewalAttemptStarted');
    expect(started).toHaveLength(1);
  });
});

describe('renewal scheduler', () => {
  it('runs renewals periodically until stopped', async () => {
    const accountId = await newAccount(stack);
    const { configurationId } = await configurationFor(accountId);
    const scheduler = startRenewalScheduler(deps, stack.deps.logger, { firstDelayMs: 10, intervalMs: 60_000 });
    try {
      for (let i = 0; i < 100 && !(await stack.deps.store.readStream(renewalConfigurationStream(configurationId))).some((e) => e.type === 'RenewalAttemptSucceeded'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await scheduler.stop();
    }
    await settled(configurationId);
    expect((await row(configurationId)).latest_certificate_id).not.toBeNull();
  });
});

describe('renewal queue', () => {
  it('update queues what is due once; process renews one item per call; the loop drains the rest', async () => {
    const accountId = await newAccount(stack);
    const one = await configurationFor(accountId);
    const two = await configurationFor(accountId);
    const update = await updateRenewalQueue(deps);
    expect(update.queued).toEqual(expect.arrayContaining([one.configurationId, two.configurationId]));
    await stack.deps.projections.waitFor(update.position!);
    // Queued once, however often update runs.
    expect((await updateRenewalQueue(deps)).queued).not.toContain(one.configurationId);

    const first = await processRenewalQueue(deps);
    expect(first.processed, JSON.stringify(first.processed)).toMatchObject({ claimed: true, ok: true });
    await settled(first.processed!.configurationId);
    const rest = await processRenewalQueueLoop(deps);
    for (const c of [one, two]) await settled(c.configurationId);
    const items = await stack.handle.db.selectFrom('renewal_queue').selectAll().where('renewal_configuration_id', 'in', [one.configurationId, two.configurationId]).execute();
    expect(items.map((i) => i.status)).toEqual(['processed', 'processed']);
    expect([first.processed, ...rest].filter((o) => o?.claimed && o.ok).map((o) => o!.configurationId)).toEqual(expect.arrayContaining([one.configurationId, two.configurationId]));
    expect(await ordersFor(one.name)).toHaveLength(1);
  });
});
