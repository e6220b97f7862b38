/**
 * npm run bench:renewal — how long deciding what is due takes for 100,000 certificates:
 * the renewal run's due query (src/commands/renewal/run.ts dueCandidates, lifetime rule or ARI
 * chosen time) over 100k configurations generated in PGlite and PostgreSQL, and the pure
 * functions (isDue; the ARI draw and poll schedule) over 100k inputs. Figures only.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { dueCandidates } from '../src/commands/renewal/run.js';
import { isDue } from '../src/domain/renewal-configuration/due.js';
import { chooseRenewalTimeMs, nextPollAfterAnswerMs } from '../src/domain/ari/schedule.js';
import { openTestDatabase } from '../test/support/db.js';

const N = Number(process.env.BENCH_RENEWAL_CERTS ?? 100_000);
const DAY = 86_400_000;
const NOW = new Date('2026-06-01T00:00:00.000Z');

/** 90-day certificates issued evenly over the last 90 days; every other one has an ARI window. */
async function seed(kind: 'pglite' | 'postgres') {
  const handle = await openTestDatabase(kind);
  const t0 = performance.now();
  await sql`
    insert into renewal_configurations (id, acme_account_id, unique_fqdn_set_id, domain_names, identifiers, key_technology, key_policy,
      is_auto_renew, is_active, latest_certificate_id, latest_not_before, latest_not_after, renew_at, created_at, updated_at)
    select lpad(i::text, 8, '0'), 'account', 'set-' || i, jsonb_build_array('h' || i || '.bench.test'),
      jsonb_build_array(jsonb_build_object('type', 'dns', 'value', 'h' || i || '.bench.test', 'challenge_type', 'http-01')),
      'EC_P256', 'single_use', true, true, 'cert-' || i,
      ${NOW}::timestamptz - (i % 90) * interval '1 day',
      ${NOW}::timestamptz - (i % 90) * interval '1 day' + interval '90 days',
      ${NOW}::timestamptz - (i % 90) * interval '1 day' + interval '60 days',
      ${NOW}, ${NOW}
    from generate_series(1, ${N}) as i`.execute(handle.db);
  await sql`
    insert into ari_renewal_info (certificate_id, acme_server_id, ari_identifier, window_start, window_end, chosen_renewal_time, next_poll_at, updated_at)
    select 'cert-' || i, 'server', 'id-' || i,
      ${NOW}::timestamptz - (i % 90) * interval '1 day' + interval '55 days',
      ${NOW}::timestamptz - (i % 90) * interval '1 day' + interval '65 days',
      ${NOW}::timestamptz - (i % 90) * interval '1 day' + interval '55 days' + ((i::bigint * 7919) % 864000) * interval '1 second',
      ${NOW}::timestamptz + ((i::bigint * 104729) % 43200) * interval '1 second', ${NOW}
    from generate_series(1, ${N}) as i where i % 2 = 0`.execute(handle.db);
  await sql`analyze`.execute(handle.db);
  return { handle, seedMs: performance.now() - t0 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function benchSql(kind: 'pglite' | 'postgres') {
  const { handle, seedMs } = await seed(kind);
  try {
    const sweeps: number[] = [];
    const firstBatch: number[] = [];
    let due = 0;
    for (let run = 0; run < 3; run += 1) {
      let t = performance.now();
      await dueCandidates(handle.db, NOW, null, 20);
      firstBatch.push(performance.now() - t);
      t = performance.now();
      due = 0;
      for (let after: string | null = null; ;) {
        const page = await dueCandidates(handle.db, NOW, after, 1000);
        if (page.length === 0) break;
        due += page.length;
        after = page.at(-1)!;
      }
      sweeps.push(performance.now() - t);
    }
    return { kind, seedMs, due, firstBatchMs: median(firstBatch), sweepMs: median(sweeps) };
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

async function main() {
  const f = (n: number) => n.toFixed(1);
  const pure = benchPure();
  console.log(`\ncertledger renewal planning: ${N.toLocaleString('en')} certificates (node ${process.version})`);
  console.log(`pure isDue over ${N} inputs: ${f(pure.isDueMs)} ms (${pure.due} due); ARI draw + next poll over ${N}: ${f(pure.ariMs)} ms`);
  console.log('| target | seed ms | first batch of 20 ms | all due (keyset pages of 1000) ms | due configurations |');
  console.log('|---|---|---|---|---|');
  for (const kind of ['pglite', 'postgres'] as const) {
    const r = await benchSql(kind);
    console.log(`| ${r.kind} | ${f(r.seedMs)} | ${f(r.firstBatchMs)} | ${f(r.sweepMs)} | ${r.due} |`);
  }
}

main().then(() => process.exit(0), (error) => {
  console.error(error);
  process.exit(1);
});
