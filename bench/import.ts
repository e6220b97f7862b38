/**
 * Part 4, npm run bench:import — certificates/s into a fresh, empty certledger, the two ways a
 * user brings existing certificates in:
 * - the upload API (POST {prefix}/certificate-signed/upload.json, multipart, a few in flight),
 *   each answered after the read model has it;
 * - the CLI, `certledger import cert --cert … --key … --chain …` once per certificate, one after
 *   the other as a shell loop runs it (each run is a new process: start-up included).
 * Certificates: EC P-256, one name each, from bench/corpus.ts's generator (not timed).
 *
 * Env: BENCH_IMPORT_API (500), BENCH_IMPORT_CLI (20), BENCH_IMPORT_IN_FLIGHT (4),
 * BENCH_TARGETS (pglite,postgres), BENCH_QUICK=1 (50 and 3).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { form, startTestStack } from '../test/support/app.js';
import { openTestDatabase } from '../test/support/db.js';
import { BENCH_MASTER_KEY, createBenchIssuer, generateLeaf, type CorpusKind, type GeneratedLeaf } from './corpus.js';
import { runAlone, type BenchRow, type BenchSection } from './report.js';

const QUICK = process.env.BENCH_QUICK === '1';
const API_CERTS = Number(process.env.BENCH_IMPORT_API ?? (QUICK ? 50 : 500));
const CLI_CERTS = Number(process.env.BENCH_IMPORT_CLI ?? (QUICK ? 3 : 20));
const IN_FLIGHT = Number(process.env.BENCH_IMPORT_IN_FLIGHT ?? 4);
const KINDS = (process.env.BENCH_TARGETS ?? 'pglite,postgres').split(',') as CorpusKind[];
const PREFIX = '/.well-known/peter_sslers';
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/certledger.mjs');
const run = promisify(execFile);

type Issuer = Awaited<ReturnType<typeof createBenchIssuer>>;

const leaves = (issuer: Issuer, count: number, tag: string): GeneratedLeaf[] =>
  Array.from({ length: count }, (_, i) => generateLeaf(issuer, [`import-${tag}-${i}.bench.test`]));

async function apiRow(kind: CorpusKind, issuer: Issuer): Promise<BenchRow> {
  const batch = leaves(issuer, API_CERTS, `api-${kind}`);
  const stack = await startTestStack(kind);
  try {
    const upload = async (leaf: GeneratedLeaf) => {
      const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
        method: 'POST', body: form({ private_key_file: leaf.privateKey, certificate_file: leaf.certificate, chain_file: issuer.chainPem }),
      });
      if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    await upload(batch[0]!); // creates the CA streams; not timed
    let next = 1;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
      while (next < batch.length) await upload(batch[next++]!);
    }));
    const seconds = (performance.now() - t0) / 1000;
    const count = batch.length - 1;
    return {
      measure: 'import through the upload API',
      target: kind,
      value: count / seconds,
      unit: 'cert/s',
      details: { certificates: count, in_flight: IN_FLIGHT, ms_per_cert: (seconds * 1000) / count },
    };
  } finally {
    await stack.close();
  }
}

async function cliRow(kind: CorpusKind, issuer: Issuer): Promise<BenchRow> {
  const dir = await mkdtemp(path.join(tmpdir(), 'certledger-import-'));
  const handle = kind === 'postgres' ? await openTestDatabase('postgres') : undefined;
  try {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', CERTLEDGER_MASTER_KEY: BENCH_MASTER_KEY };
    if (handle) env.DATABASE_URL = (handle.pool!.options as { connectionString: string }).connectionString;
    else env.CERTLEDGER_DATA_DIR = path.join(dir, 'data');
    const chain = path.join(dir, 'chain.pem');
    await writeFile(chain, issuer.chainPem);
    const files = await Promise.all(leaves(issuer, CLI_CERTS + 1, `cli-${kind}`).map(async (leaf, i) => {
      const cert = path.join(dir, `cert-${i}.pem`);
      const key = path.join(dir, `key-${i}.pem`);
      await writeFile(cert, leaf.certificate);
      await writeFile(key, leaf.privateKey, { mode: 0o600 });
      return { cert, key };
    }));
    const importOne = (f: { cert: string; key: string }) =>
      run(process.execPath, [BIN, 'import', 'cert', '--cert', f.cert, '--key', f.key, '--chain', chain], { env, timeout: 120_000 });
    await importOne(files[0]!); // migrates the empty database; not timed
    const t0 = performance.now();
    for (const f of files.slice(1)) await importOne(f);
    const seconds = (performance.now() - t0) / 1000;
    return {
      measure: 'import through the CLI (import cert, one process per certificate)',
      target: kind,
      value: CLI_CERTS / seconds,
      unit: 'cert/s',
      details: { certificates: CLI_CERTS, ms_per_cert: (seconds * 1000) / CLI_CERTS },
    };
  } finally {
    await handle?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function runImport(): Promise<BenchSection> {
  const issuer = await createBenchIssuer();
  const rows: BenchRow[] = [];
  for (const kind of KINDS) {
    rows.push(await apiRow(kind, issuer));
    rows.push(await cliRow(kind, issuer));
  }
  return {
    part: 4,
    title: 'Import: certificates/s',
    rows,
    notes: [
      'Into an empty database. The API answers each upload after the read model has it (read-your-writes). The CLI figure is mostly process start-up (node + tsx + opening the database): `import certbot <dir>` is the batch form for whole certbot trees.',
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runAlone(runImport);
