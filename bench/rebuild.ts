/**
 * npm run bench:rebuild — the rate of a rebuild beside the live tables. Grows an event log of
 * BENCH_REBUILD_EVENTS events (100,000 by default) through the real upload path (single-name
 * EC certificates with their chain: key, certificate and chain-link events), then rebuilds every
 * projection beside its live tables and swaps: quiet, then again while uploads continue
 * (BENCH_REBUILD_LOAD in flight, 1 by default); and, for
 * comparison, the in-place rebuild (one transaction) of each. BENCH_REBUILD_TARGET: postgres
 * (default) or pglite. Figures only.
 */
import { performance } from 'node:perf_hooks';
import { catalogProjections } from '../src/projections/index.js';
import { rebuildBeside, type RebuildResult } from '../src/projections/rebuild/rebuild-beside.js';
import { form, startTestStack, type TestStack } from '../test/support/app.js';
import { createCa, issueLeaf, type TestCa } from '../test/support/pki.js';

const EVENTS = BigInt(process.env.BENCH_REBUILD_EVENTS ?? 100_000);
const KIND = (process.env.BENCH_REBUILD_TARGET ?? 'postgres') as 'pglite' | 'postgres';
const UPLOADS_IN_FLIGHT = 4;
/** Uploads kept running during the loaded rebuilds: the rebuild shares the handlers' cost with them. */
const LOAD_IN_FLIGHT = Number(process.env.BENCH_REBUILD_LOAD ?? 1);

async function upload(stack: TestStack, issuer: TestCa, name: string): Promise<void> {
  const leaf = await issueLeaf(issuer, { names: [name], keyAlgorithm: 'EC' });
  const res = await fetch(`${stack.admin.url}/.well-known/peter_sslers/certificate-signed/upload.json`, {
    method: 'POST', body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: issuer.certPem }),
  });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
}

const row = (what: string, r: RebuildResult) =>
  `| ${what} | ${r.name} | ${r.events} | ${r.elapsedMs} | ${r.eventsPerSecond} | ${Math.round((Number(r.position) * 1000) / r.elapsedMs)} | ${r.swapAttempts} |`;

async function main() {
  const stack = await startTestStack(KIND);
  try {
    const issuer = await createCa({ issuer: await createCa() });
    let uploads = 0;
    const grow = async (until: () => Promise<boolean>, inFlight = UPLOADS_IN_FLIGHT) => {
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (!(await until())) await upload(stack, issuer, `r${uploads++}.rebuild.bench`);
      }));
    };
    process.stdout.write(`${KIND}: growing the event log to ${EVENTS} events…\n`);
    const t0 = performance.now();
    let checked = 0n;
    let checkedAt = 0;
    await grow(async () => {
      if (performance.now() - checkedAt > 500) {
        checkedAt = performance.now();
        checked = await stack.deps.store.headPosition();
      }
      return checked >= EVENTS;
    });
    const head = await stack.deps.store.headPosition();
    const growSeconds = (performance.now() - t0) / 1000;
    await stack.projectionSet.waitFor(head, { timeoutMs: 1_800_000 });
    const caughtUpSeconds = (performance.now() - t0) / 1000;

    process.stdout.write(`log of ${head} events grown in ${growSeconds.toFixed(1)} s, projected after ${caughtUpSeconds.toFixed(1)} s\n`);
    const rows: string[] = [];
    const add = (line: string) => {
      rows.push(line);
      process.stdout.write(`${line}\n`);
    };
    for (const projection of catalogProjections) add(row('beside + swap, quiet', await rebuildBeside(stack.deps, projection)));

    // Under load: uploads keep coming while each projection is rebuilt beside.
    let loading = true;
    const before = uploads;
    const load = grow(async () => !loading, LOAD_IN_FLIGHT);
    for (const projection of catalogProjections) add(row(`beside + swap, ${LOAD_IN_FLIGHT} upload(s) in flight`, await rebuildBeside(stack.deps, projection)));
    loading = false;
    await load;
    const duringLoad = uploads - before;
    await stack.projectionSet.waitFor(await stack.deps.store.headPosition(), { timeoutMs: 600_000 });

    const inPlace: string[] = [];
    for (const projection of catalogProjections) {
      const s = performance.now();
      await stack.projectionSet.rebuild(projection.name);
      inPlace.push(`${projection.name} ${Math.round(performance.now() - s)} ms`);
    }

    console.log(`\nRebuild bench (${KIND}, node ${process.version}): event log of ${head} events from ${uploads} uploads`);
    console.log(`log grown through the upload API in ${growSeconds.toFixed(1)} s; live projections caught up after ${caughtUpSeconds.toFixed(1)} s; ${duringLoad} uploads ran during the loaded rebuilds`);
    console.log('| run | projection | events replayed | ms | events/s (its types) | log positions/s | swap attempts |');
    console.log('|---|---|---:|---:|---:|---:|---:|');
    for (const line of rows) console.log(line);
    console.log(`in-place rebuild (one transaction, runner paused): ${inPlace.join(', ')}`);
  } finally {
    await stack.close();
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
