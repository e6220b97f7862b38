/**
 * npm run bench:issuance — part 5: single-name certificates from ONE Pebble with real http-01
 * validation (PEBBLE_VA_NOSLEEP=1, no nonce rejection, no authorization reuse): certledger through
 * its order API (`POST /api/v1/acme-orders`, process all) at concurrency 1 and 10, beside the
 * Debian certbot (certonly --standalone) and lego (--http) issuing the same count one after
 * another. Pebble's http-01 port is shared, so the runs go one after another. Each tool first
 * issues one untimed certificate (account registration, warm caches); names are unique per run.
 * Env: BENCH_ISSUANCE_CERTS (20), BENCH_ISSUANCE_TARGET (pglite | postgres, default postgres),
 * BENCH_ISSUANCE_TOOLS (certbot,lego), BENCH_QUICK=1 (4 certificates).
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createTestAcmeAccount, startTestStack } from '../test/support/app.js';
import { startPebble, type PebbleInstance } from '../test/support/pebble.js';
import { holdPort, removeToolDirs, runTool, type ToolRun } from './issuance/tools.js';
import { runAlone, type BenchRow, type BenchSection } from './report.js';
import { createPublicApp } from '../src/http/public-app.js';

const QUICK = process.env.BENCH_QUICK === '1';
const CERTS = Number(process.env.BENCH_ISSUANCE_CERTS ?? (QUICK ? 4 : 20));
const KIND = (process.env.BENCH_ISSUANCE_TARGET ?? 'postgres') as 'pglite' | 'postgres';
const TOOLS = (process.env.BENCH_ISSUANCE_TOOLS ?? 'certbot,lego').split(',').map((t) => t.trim()).filter(Boolean);
const GOAL_RATIO = 5;

type Timed = { perCertificateS: number; wallS: number; p50S: number; maxS: number };

const RUN_TAG = Date.now().toString(36);
const nameOf = (tool: string, i: number | string) => `${tool}-${i}-${RUN_TAG}.issuance.example.test`;

function summarise(wallMs: number, each: number[]): Timed {
  const sorted = [...each].sort((a, b) => a - b);
  return { perCertificateS: wallMs / 1000 / each.length, wallS: wallMs / 1000, p50S: sorted[Math.floor(sorted.length / 2)]! / 1000, maxS: sorted.at(-1)! / 1000 };
}

/** `count` names issued by `issue`, `concurrency` at a time; the wall time over the count. */
async function timed(count: number, concurrency: number, issue: (i: number) => Promise<void>): Promise<Timed> {
  const each: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      await issue(i);
      each.push(performance.now() - t);
    }
  }));
  return summarise(performance.now() - t0, each);
}

async function benchCertledger(pebble: PebbleInstance): Promise<{ c1: Timed; c10: Timed }> {
  const stack = await startTestStack(KIND, { pebble: { directoryUrl: pebble.directoryUrl, caPem: pebble.caPem } });
  const release = await holdPort(createPublicApp(stack.deps), pebble.ports.httpPort);
  try {
    const accountId = await createTestAcmeAccount(stack);
    const issue = (label: string) => async (i: number | string) => {
      const res = await fetch(`${stack.admin.url}/api/v1/acme-orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ account_id: accountId, domain_names_http01: [nameOf(label, i)], process: 'all' }),
      });
      const body = (await res.json()) as { result?: string; next_step?: string; steps?: unknown };
      if (res.status !== 201 || body.result !== 'success' || body.next_step !== 'done') {
        throw new Error(`certledger order for ${nameOf(label, i)} ended ${res.status} ${body.result}/${body.next_step}: ${JSON.stringify(body.steps)}`);
      }
    };
    await issue('cl-warm')(0);
    const c1 = await timed(CERTS, 1, issue('cl1'));
    const c10 = await timed(CERTS, 10, issue('cl10'));
    return { c1, c10 };
  } finally {
    await release();
    await stack.close();
  }
}

async function benchTool(pebble: PebbleInstance, tool: string): Promise<Timed> {
  const run: ToolRun = (name) => runTool(tool, pebble, name);
  await run(nameOf(`${tool}-warm`, 0));
  return timed(CERTS, 1, (i) => run(nameOf(tool, i)));
}

const rowOf = (measure: string, target: string, t: Timed, extra: Partial<BenchRow> = {}): BenchRow => ({
  measure, target, value: t.perCertificateS, unit: 's/cert',
  details: { wall: `${t.wallS.toFixed(1)} s`, 'p50 each': `${t.p50S.toFixed(2)} s`, 'max each': `${t.maxS.toFixed(2)} s` },
  ...extra,
});

export async function runIssuance(): Promise<BenchSection> {
  const pebble = await startPebble({ ports: 'free', env: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' } });
  try {
    const { c1, c10 } = await benchCertledger(pebble);
    const tools = new Map<string, Timed>();
    for (const tool of TOOLS) tools.set(tool, await benchTool(pebble, tool));
    const certbot = tools.get('certbot');
    const measure = `${CERTS} single-name certificates, http-01`;
    const rows: BenchRow[] = [
      rowOf(`${measure}, concurrency 1`, `certledger (${KIND})`, c1, certbot
        ? { reference: { name: 'certbot', value: certbot.perCertificateS, unit: 's/cert' }, ratio: certbot.perCertificateS / c1.perCertificateS }
        : {}),
      rowOf(`${measure}, concurrency 10`, `certledger (${KIND})`, c10, certbot
        ? {
          reference: { name: 'certbot', value: certbot.perCertificateS, unit: 's/cert' },
          ratio: certbot.perCertificateS / c10.perCertificateS,
          goal: `≥ ${GOAL_RATIO}× certbot`,
          met: certbot.perCertificateS / c10.perCertificateS >= GOAL_RATIO,
        }
        : {}),
      ...[...tools].map(([tool, t]) => rowOf(`${measure}, one after another`, tool, t, {
        reference: { name: 'certledger@10', value: c10.perCertificateS, unit: 's/cert' },
      })),
    ];
    return {
      part: 5,
      title: 'Issuance from Pebble (real http-01 validation)',
      rows,
      notes: [
        `One Pebble (chain length 3, 2 alternate roots; certledger downloads every chain, the tools only the default) on loopback; EC P-256 keys everywhere.`,
        'certbot and lego run one process per certificate (as a cron job or a shell loop would), each timed from spawn to exit; each tool and certledger issue one untimed certificate first (account registration).',
        `s/cert = wall time / ${CERTS}; at concurrency 10 certledger overlaps orders, the tools cannot (one http-01 port each, one process per name).`,
      ],
    };
  } finally {
    await removeToolDirs();
    await pebble.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runAlone(runIssuance);
