/**
 * npm run bench [-- <part>…]: every benchmark part (or the ones named, by number or name), one
 * after another, printed as one table and written to bench/results/<date>.json with the machine
 * they ran on. Figures only; nothing here is a pass/fail test and none of it runs in CI.
 * BENCH_QUICK=1 runs each part at a small size (a smoke run of the whole suite).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sectionTable, type BenchPart, type BenchSection } from './report.js';

const PARTS: BenchPart[] = [
  { part: 1, name: 'lookup', run: async () => (await import('./lookup.js')).runLookup() },
  { part: 2, name: 'redis', run: async () => (await import('./redis-prime.js')).runRedis() },
  { part: 3, name: 'replay', run: async () => (await import('./replay.js')).runReplay() },
  { part: 4, name: 'import', run: async () => (await import('./import.js')).runImport() },
  { part: 5, name: 'issuance', run: async () => (await import('./issuance.js')).runIssuance() },
  { part: 6, name: 'memory', run: async () => (await import('./memory-start.js')).runMemoryStart() },
  { part: 7, name: 'renewal', run: async () => (await import('./renewal-planning.js')).runRenewalPlanning() },
];

export function machine() {
  const cpu = cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout: the figures still stand, without a commit.
  }
  return {
    cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memory_gib: Math.round(totalmem() / 2 ** 30), free_gib: Math.round(freemem() / 2 ** 30),
    kernel: release(), node: process.version, load_average_at_start: loadavg().map((l) => Number(l.toFixed(2))), commit,
  };
}

function selected(args: readonly string[]): BenchPart[] {
  const wanted = args.length > 0 ? args : (process.env.BENCH_PARTS ?? '').split(',').filter((p) => p.trim() !== '');
  if (wanted.length === 0) return PARTS;
  return wanted.map((w) => {
    const part = PARTS.find((p) => String(p.part) === w.trim() || p.name === w.trim());
    if (!part) throw new Error(`unknown part ${w}: one of ${PARTS.map((p) => `${p.part} (${p.name})`).join(', ')}`);
    return part;
  });
}

async function main() {
  const parts = selected(process.argv.slice(2));
  const started = new Date();
  const host = machine();
  console.log(`certledger bench ${started.toISOString()} — ${host.cores} × ${host.cpu}, ${host.memory_gib} GiB, node ${host.node}, commit ${host.commit}${process.env.BENCH_QUICK ? ' (quick sizes)' : ''}`);
  const sections: BenchSection[] = [];
  const failures: { part: number; name: string; error: string }[] = [];
  for (const part of parts) {
    const t0 = performance.now();
    console.log(`\n… part ${part.part} (${part.name})`);
    try {
      const section = await part.run();
      sections.push(section);
      console.log(sectionTable(section));
      console.log(`(part ${part.part} took ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    } catch (error) {
      // One broken part must not lose the others' figures.
      const message = error instanceof Error ? error.stack ?? error.message : String(error);
      failures.push({ part: part.part, name: part.name, error: message });
      console.error(`part ${part.part} (${part.name}) failed: ${message}`);
    }
  }
  console.log('\n# certledger bench — all parts');
  for (const section of sections) console.log(sectionTable(section));
  const dir = join(import.meta.dirname, 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${started.toISOString().slice(0, 10)}${process.env.BENCH_QUICK ? '-quick' : ''}.json`);
  await writeFile(file, `${JSON.stringify({ started: started.toISOString(), finished: new Date().toISOString(), machine: host, quick: !!process.env.BENCH_QUICK, sections, failures }, null, 2)}\n`);
  console.log(`\nresults: ${file}`);
  return failures.length === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
