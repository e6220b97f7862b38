/**
 * npm run bench: certificate import rate and config.json lookup latency, on PGlite and on
 * PostgreSQL, beside a bare node:http server answering a constant body of the same size.
 * Figures only; nothing here is a pass/fail test.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createCa, issueLeaf, type TestCa } from '../test/support/pki.js';
import { form, startTestStack } from '../test/support/app.js';
import { load, type LoadResult } from './load.js';

const CERTS = Number(process.env.BENCH_CERTS ?? 300);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PREFIX = '/.well-known/peter_sslers';

type Row = { target: string; importPerSecond: number; lookup: LoadResult; baseline: LoadResult; bodyBytes: number };

async function bareServer(body: Buffer) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
}

async function benchTarget(kind: 'pglite' | 'postgres', issuer: TestCa, leaves: Awaited<ReturnType<typeof issueLeaf>>[]): Promise<Row> {
  const stack = await startTestStack(kind);
  try {
    const t0 = performance.now();
    for (const leaf of leaves) {
      const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
        method: 'POST',
        body: form({ private_key_file: leaf.keyPem, certificate_file: leaf.certPem, chain_file: issuer.certPem }),
      });
      if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
    }
    const importPerSecond = leaves.length / ((performance.now() - t0) / 1000);
    const paths = leaves.map((_, i) => `${PREFIX}/domain/host-${i}.bench.test/config.json`);
    await load(stack.admin.url, paths.slice(0, 50), { requests: 500, concurrency: CONCURRENCY }); // warm-up
    const lookup = await load(stack.admin.url, paths, { requests: REQUESTS, concurrency: CONCURRENCY });
    const sample = Buffer.from(await (await fetch(`${stack.admin.url}${paths[0]}`)).arrayBuffer());
    const bare = await bareServer(sample);
    await load(bare.url, ['/'], { requests: 500, concurrency: CONCURRENCY });
    const baseline = await load(bare.url, ['/'], { requests: REQUESTS, concurrency: CONCURRENCY });
    await bare.close();
    return { target: kind, importPerSecond, lookup, baseline, bodyBytes: sample.length };
  } finally {
    await stack.close();
  }
}

async function main() {
  process.stdout.write(`generating ${CERTS} certificates…\n`);
  const root = await createCa();
  const issuer = await createCa({ issuer: root });
  const leaves = [];
  for (let i = 0; i < CERTS; i++) leaves.push(await issueLeaf(issuer, { names: [`host-${i}.bench.test`], keyAlgorithm: 'EC' }));

  const rows: Row[] = [];
  for (const kind of ['pglite', 'postgres'] as const) rows.push(await benchTarget(kind, issuer, leaves));

  const f = (n: number, d = 1) => n.toFixed(d);
  console.log(`\ncertledger bench: ${CERTS} certificates, ${REQUESTS} lookups at concurrency ${CONCURRENCY} (node ${process.version})`);
  console.log('| target | import cert/s | config.json req/s | p50 ms | p99 ms | errors | bare node:http req/s | ratio | body bytes |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.target} | ${f(r.importPerSecond)} | ${f(r.lookup.rps, 0)} | ${f(r.lookup.p50, 2)} | ${f(r.lookup.p99, 2)} | ${r.lookup.errors} | ${f(r.baseline.rps, 0)} | ${f(r.lookup.rps / r.baseline.rps, 3)} | ${r.bodyBytes} |`);
  }
}

main().then(() => process.exit(0), (error) => {
  console.error(error);
  process.exit(1);
});
