/**
 * A look inside certledger's issuance (not part of `npm run bench`): N orders at concurrency C
 * against a fresh Pebble, then each order's ACME exchanges as a timeline (start offset, duration,
 * kind), to see where an order's time goes. Env: N (10), C (10), TARGET (postgres).
 */
import { performance } from 'node:perf_hooks';
import { createTestAcmeAccount, startTestStack } from '../../test/support/app.js';
import { startPebble } from '../../test/support/pebble.js';
import { createPublicApp } from '../../src/http/public-app.js';
import { holdPort } from './tools.js';

const N = Number(process.env.N ?? 10);
const C = Number(process.env.C ?? 10);
const KIND = (process.env.TARGET ?? 'postgres') as 'pglite' | 'postgres';

type Exchange = { data: { requestKind: string; startedAt: string; durationMs: number; retrying: boolean } };

async function main() {
  const pebble = await startPebble({ ports: 'free', env: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' } });
  const stack = await startTestStack(KIND, { pebble: { directoryUrl: pebble.directoryUrl, caPem: pebble.caPem } });
  const release = await holdPort(createPublicApp(stack.deps), pebble.ports.httpPort);
  try {
    const accountId = await createTestAcmeAccount(stack);
    const order = async (name: string) => {
      const startedAt = Date.now();
      const t = performance.now();
      const res = await fetch(`${stack.admin.url}/api/v1/acme-orders`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ account_id: accountId, domain_names_http01: [name], process: 'all' }),
      });
      const body = (await res.json()) as { order: { id: string }; next_step: string };
      return { id: body.order.id, next: body.next_step, startedAt, ms: performance.now() - t };
    };
    await order(`warm-${Date.now()}.profile.example.test`);
    const results: Awaited<ReturnType<typeof order>>[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: C }, async () => {
      while (next < N) results.push(await order(`p${next++}-${Date.now()}.profile.example.test`));
    }));
    console.log(`${N} orders at concurrency ${C} on ${KIND}: ${(performance.now() - t0).toFixed(0)} ms wall`);
    for (const r of results.slice(0, 3)) {
      const items = ((await (await fetch(`${stack.admin.url}/api/v1/acme-orders/${r.id}/events`)).json()) as { items: (Exchange & { type: string; recorded_at: string })[] }).items;
      console.log(`order ${r.id}: ${r.ms.toFixed(0)} ms, ${r.next}`);
      let end = r.startedAt;
      for (const e of items) {
        if (e.type !== 'AcmeExchangeRecorded') {
          console.log(`  +${String(Date.parse(e.recorded_at) - r.startedAt).padStart(5)} ms   appended ${e.type}`);
          continue;
        }
        const at = Date.parse(e.data.startedAt);
        console.log(`  +${String(at - r.startedAt).padStart(5)} ms (gap ${String(at - end).padStart(4)}) ${e.data.requestKind} ${e.data.durationMs} ms${e.data.retrying ? ' retrying' : ''}`);
        end = at + e.data.durationMs;
      }
      console.log(`  end +${r.ms.toFixed(0)} (after last exchange ${(r.startedAt + r.ms - end).toFixed(0)} ms)`);
    }
  } finally {
    await release();
    await stack.close();
    await pebble.stop();
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
