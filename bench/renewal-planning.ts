/**
 * npm run bench:renewal — part 7: how long deciding what is due takes for 100,000 certificates:
 * the renewal run's due query (src/commands/renewal/run.ts dueCandidates, lifetime rule or ARI
 * chosen time) over 100k configurations written straight into the read model of PGlite and
 * PostgreSQL (the query reads only that), and the pure functions (isDue; the ARI draw and poll
 * schedule) over 100k inputs. Env: BENCH_RENEWAL_CERTS (100000), BENCH_RENEWAL_TARGETS
 * (pglite,postgres), BENCH_QUICK=1 (5,000). Figures only.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { dueCandidates } from '../src/commands/renewal/run.js';
import { isDue } from '../src/domain/renewal-configuration/due.js';
import { chooseRenewalTimeMs, nextPollAfterAnswerMs } from '../src/domain/ari/schedule.js';
import { openTestDatabase } from '../test/support/db.js';
import { runAlone, type BenchRow, type BenchSection } from './report.js';

const QUICK = process.env.BENCH_QUICK === '1';
const N = Number(process.env.BENCH_RENEWAL_CERTS ?? (QUICK ? 5_000 : 100_000));
const TARGETS = (process.env.BENCH_RENEWAL_TARGETS ?? 'pglite,postgres').split(',').map((t) => t.trim()) as ('pglite' | 'postgres')[];
const GOAL_MS = 1_000;
const SCENARIOS: [string, number][] = [['backlog', 90], ['steady state', 61]];
/** The renewal run's own page (src/commands/renewal/run.ts DEFAULTS.batchSize). */
const RUN_BATCH = 20;
const DAY = 86_400_000;
const NOW = new Date('2026-06-01T00:00:00.000Z');

/**
 * 90-day certificates issued evenly over the last `spreadDays` days; every other one has an ARI
 * window. 90 days: a backlog (renewal due at day 60, so a third is due); 61 days: the steady
 * state of a service that renews on time (about 2% due).
 */
export async function seed(kind: 'pglite' | 'postgres', spreadDays: number) {
  const handle = await openTestDatabase(kind);
  const t0 = performance.now();
  await sql`
    insert into renewal_configurations (id, acme_account_id, unique_fqdn_set_id, domain_names, identifiers, key_technology, key_policy,
      is_auto_renew, is_active, latest_certificate_id, latest_not_before, latest_not_after, renew_at, created_at, updated_at)
    select lpad(i::text, 8, '0'), 'account', 'set-' || i, jsonb_build_array('h' || i || '.bench.test'),
      jsonb_build_array(jsonb_build_object('type', 'dns', 'value', 'h' || i || '.bench.test', 'challenge_type', 'http-01')),
      'EC_P256', 'single_use', true, true, 'cert-' || i,
      ${NOW}::timestamptz - (i % ${spreadDays}) * interval '1 day',
      ${NOW}::timestamptz - (i % ${spreadDays}) * interval '1 day' + interval '90 days',
      ${NOW}::timestamptz - (i % ${spreadDays}) * interval '1 day' + interval '60 days',
      ${NOW}, ${NOW}
    from generate_series(1, ${N}) as i`.execute(handle.db);
  await sql`
    insert into ari_renewal_info (certificate_id, acme_server_id, ari_identifier, window_start, window_end, chosen_renewal_time, next_poll_at, updated_at)
    select 'cert-' || i, 'server', 'id-' || i,
      ${NOW}::timestamptz - (i % ${spreadDays}) * interval '1 day' + interval '55 days',
      ${NOW}::timestamptz - (i % ${spreadDays}) * interval '1 day' + interval '65 days',
      ${NOW}::timestamptz - (i % ${spreadDays}) * interval '1 day' + interval '55 days' + ((i::bigint * 7919) % 864000) * interval '1 second',
      ${NOW}::timestamptz + ((i::bigint * 104729) % 43200) * interval '1 second', ${NOW}
    from generate_series(1, ${N}) as i where i % 2 = 0`.execute(handle.db);
  await sql`analyze`.execute(handle.db);
  return { handle, seedMs: performance.now() - t0 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Every due id, keyset page after keyset page; returns how many. */
async function sweep(db: Parameters<typeof dueCandidates>[0], pageSize: number): Promise<number> {
  let due = 0;
  for (let after: string | null = null; ;) {
    const page = await dueCandidates(db, NOW, after, pageSize);
    if (page.length === 0) return due;
    due += page.length;
    after = page.at(-1)!;
  }
}

async function benchSql(kind: 'pglite' | 'postgres', spreadDays: number) {
  const { handle, seedMs } = await seed(kind, spreadDays);
  try {
    const sweeps: number[] = [];
    const firstBatch: number[] = [];
    let due = 0;
    for (let run = 0; run < 3; run += 1) {
      let t = performance.now();
      await dueCandidates(handle.db, NOW, null, RUN_BATCH);
      firstBatch.push(performance.now() - t);
      t = performance.now();
      due = await sweep(handle.db, 1000);
      sweeps.push(performance.now() - t);
    }
    // The run's own page size: what walking every due configuration costs at 20 a page.
    let t = performance.now();
    await sweep(handle.db, RUN_BATCH);
    const runPagedMs = performance.now() - t;
    // One statement for all: what the paging itself costs.
    t = performance.now();
    await sweep(handle.db, N + 1);
    return { kind, seedMs, due, firstBatchMs: median(firstBatch), sweepMs: median(sweeps), runPagedMs, onePageMs: performance.now() - t };
  } finally {
    await handle.close();
  }
}

function benchPure() {
  const facts = Array.from({ length: N }, (_, i) => {
    const notBeforeMs = NOW.getTime() - (i % 90) * DAY;
    return { notBeforeMs, notAfterMs: notBeforeMs + 90 * DAY, ariChosenRenewalTimeMs: i % 2 === 0 ? notBeforeMs + 55 * DAY + ((i * 7919) % 864_000) * 1000 : null };
  });
  const rounds = (work: () => number) => {
    const times: number[] = [];
    let result = 0;
    for (let r = 0; r < 5; r += 1) {
      const t = performance.now();
      result = work();
      times.push(performance.now() - t);
    }
    return { ms: median(times), result };
  };
  const nowMs = NOW.getTime();
  const due = rounds(() => facts.reduce((n, f) => n + (isDue(f, nowMs) ? 1 : 0), 0));
  const ari = rounds(() => {
    let sum = 0;
    for (let i = 0; i < N; i += 1) {
      const r = ((i * 2_654_435_761) % 4_294_967_296) / 4_294_967_296;
      sum += chooseRenewalTimeMs({ startMs: nowMs, endMs: nowMs + 10 * DAY }, r) + nextPollAfterAnswerMs(nowMs, null, r);
    }
    return sum;
  });
  return { isDueMs: due.ms, due: due.result, ariMs: ari.ms };
}

export async function runRenewalPlanning(): Promise<BenchSection> {
  const count = N.toLocaleString('en-US');
  const pure = benchPure();
  const rows: BenchRow[] = [];
  for (const [scenario, spreadDays] of SCENARIOS) for (const kind of TARGETS) {
    const r = await benchSql(kind, spreadDays);
    rows.push({
      measure: `all due among ${count} certificates, ${scenario} (keyset pages of 1,000)`,
      target: kind,
      value: r.sweepMs,
      unit: 'ms',
      details: { due: r.due, [`first page of ${RUN_BATCH}`]: `${r.firstBatchMs.toFixed(1)} ms`, [`all due in pages of ${RUN_BATCH}`]: `${r.runPagedMs.toFixed(0)} ms`, 'all due in one page': `${r.onePageMs.toFixed(0)} ms`, seed: `${r.seedMs.toFixed(0)} ms` },
      goal: '≤ 1 s',
      met: r.sweepMs <= GOAL_MS,
    });
  }
  rows.push({ measure: `isDue over ${count} certificates (pure)`, target: 'node', value: pure.isDueMs, unit: 'ms', details: { due: pure.due } });
  rows.push({ measure: `ARI draw + next poll over ${count} (pure)`, target: 'node', value: pure.ariMs, unit: 'ms' });
  return {
    part: 7,
    title: 'Renewal planning',
    rows,
    notes: [
      'Backlog: 90-day certificates issued evenly over the last 90 days (a third past renew_at); steady state: over the last 61 days (renewed on time, ~2% due). Every other one has an ARI window. Medians of 3 sweeps (pure functions: of 5, backlog inputs).',
      'A renewal run asks for 20 at a time and renews them before it asks again, so the first page is what a run waits before its first renewal.',
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runAlone(runRenewalPlanning);
