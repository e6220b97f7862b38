/**
 * Issuance time on PostgreSQL (the scale-out database), by the command itself (no HTTP): one
 * certificate at a time, then 10 in parallel. Printed, not asserted; the PGlite and HTTP figures
 * are in orders-http01 and orders-dns01.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { createAcmeOrder } from '../../src/commands/acme-order/create-acme-order.js';
import { newAccount, startOrderStack, stepsText, uniqueName, type OrderStack } from './orders-support.js';

let stack: OrderStack;
let accountId: string;

beforeAll(async () => {
  stack = await startOrderStack(inject('pebble'), 'postgres');
  accountId = await newAccount(stack);
});
afterAll(async () => {
  await stack?.close();
});

it('issues single-name certificates by dns-01 on PostgreSQL: one at a time, then 10 in parallel', async () => {
  const issue = async () => {
    const t0 = performance.now();
    const created = await createAcmeOrder(stack.orderDeps, { accountId, identifiers: [{ type: 'dns', value: uniqueName('pg'), challengeType: 'dns-01' }], processing: 'all' });
    expect(created.report.next, stepsText(created.report.steps)).toBe('done');
    return performance.now() - t0;
  };
  await issue();
  const sequential: number[] = [];
  for (let i = 0; i < 5; i += 1) sequential.push(await issue());
  const t0 = performance.now();
  const parallel = await Promise.all(Array.from({ length: 10 }, issue));
  const wall = performance.now() - t0;
  const avg = sequential.reduce((a, b) => a + b, 0) / sequential.length;
  console.log(`[timing dns-01, PostgreSQL, command] per certificate (sequential, n=5): avg ${avg.toFixed(0)} ms, min ${Math.min(...sequential).toFixed(0)} ms, max ${Math.max(...sequential).toFixed(0)} ms`);
  console.log(`[timing dns-01, PostgreSQL, command] 10 in parallel: ${wall.toFixed(0)} ms wall, ${(wall / 10).toFixed(0)} ms per certificate, slowest ${Math.max(...parallel).toFixed(0)} ms`);
}, 180_000);
