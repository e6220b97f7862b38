/**
 * Several renewal runners at once on PostgreSQL (real parallel connections), as several
 * instances would run them: every configuration is claimed once and ordered once.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createRenewalConfiguration } from '../../src/commands/renewal/create-renewal-configuration.js';
import { runRenewals } from '../../src/commands/renewal/run.js';
import { renewalConfigurationStream } from '../../src/domain/renewal-configuration/events.js';
import { createPostgresEventStore } from '../../src/infra/eventstore/postgres.js';
import { newAccount, startOrderStack, uniqueName, type OrderStack } from '../acme/orders-support.js';

let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack(inject('pebble'), 'postgres');
});
afterAll(async () => {
  await stack?.close();
});

it('three runners racing over five due configurations make exactly five orders', async () => {
  const accountId = await newAccount(stack);
  const configurations: { id: string; name: string }[] = [];
  for (let i = 0; i < 5; i++) {
    const name = uniqueName('race');
    const { configurationId, position } = await createRenewalConfiguration(stack.orderDeps, { identifiers: [{ type: 'dns', value: name, challengeType: 'dns-01' }], primary: { accountId } });
    await stack.deps.projections.waitFor(position!);
    configurations.push({ id: configurationId, name });
  }
  // Each runner with an event store of its own, as separate instances would have.
  const runners = [0, 1, 2].map(() => ({ ...stack.orderDeps, store: createPostgresEventStore(stack.handle) }));
  const reports = await Promise.all(runners.map((deps) => runRenewals(deps, { batchSize: 2, concurrency: 3 })));
  const outcomes = reports.flatMap((r) => r.outcomes);
  for (const { id, name } of configurations) {
    const mine = outcomes.filter((o) => o.configurationId === id);
    expect(mine.filter((o) => o.claimed), JSON.stringify(mine)).toHaveLength(1);
    expect(mine.find((o) => o.claimed)).toMatchObject({ ok: true });
    const started = (await stack.deps.store.readStream(renewalConfigurationStream(id))).filter((e) => e.type === 'RenewalAttemptStarted');
    expect(started).toHaveLength(1);
    const orders = await stack.handle.db.selectFrom('acme_orders').select('id').where('domain_names', '@>', JSON.stringify([name]) as never).execute();
    expect(orders).toHaveLength(1);
  }
});
