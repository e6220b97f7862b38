import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export type LoadResult = { requests: number; seconds: number; rps: number; p50: number; p99: number; errors: number };

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** Closed-loop load: `concurrency` workers each send the next request when the last answered. */
export async function load(origin: string, paths: readonly string[], opts: { requests: number; concurrency: number }): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: opts.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, async () => {
    while (next < opts.requests) {
      const path = paths[next++ % paths.length]!;
      const t0 = performance.now();
      const res = await pool.request({ method: 'GET', path });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) errors++;
      latencies.push(performance.now() - t0);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, seconds, rps: latencies.length / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), errors };
}
