/**
 * Compiles the service and the CLI into dist/ with esbuild: one ES module per entry with its
 * packages bundled in, lazily imported code in chunks. Node then reads a few files instead of
 * compiling ~380 TypeScript sources through tsx and resolving ~600 package files at every start
 * (100,000 domains on PostgreSQL: 2.2 s of CPU to ready through tsx, 0.5 s compiled).
 *
 * `npm start` (prestart), bin/certledger.mjs, the bench and the tests call ensureBuilt(): it
 * rebuilds only when an input changed, so a start after an edit runs the edit. Output files are
 * written beside and renamed into place: a process starting during a build reads whole files.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, 'inputs.json');
const CHUNKS = 'chunks';
/** A chunk no build since this long has written is left by an old build: removed. */
const STALE_CHUNK_MS = 3_600_000;
/** Besides the sources and bundled packages: what else changes the output. */
const EXTRA_INPUTS = ['scripts/build.mjs', 'tsconfig.json', 'package-lock.json'];
/** Each entry is built alone, so the service loads none of the CLI's chunks. */
const ENTRIES = { main: 'src/main.ts', 'cli/main': 'src/cli/main.ts' };
/**
 * Left in node_modules: PGlite loads its WASM and data files beside its own module; the
 * EventStoreDB client reads .proto files by __dirname; ioredis reads its package.json so;
 * pg-native is optional and absent.
 */
const EXTERNAL = ['@electric-sql/pglite', '@eventstore/db-client', 'ioredis', 'pg-native'];
/** Bundled CommonJS packages call require() for Node's built-ins; an ES module has none. */
const BANNER = "import { createRequire as __certledgerCreateRequire } from 'node:module'; const require = __certledgerCreateRequire(import.meta.url);";

const signature = async (file) => {
  const s = await stat(path.join(ROOT, file));
  return `${s.size}:${s.mtimeMs}`;
};

/** True when dist/ was built from the sources as they are now (every recorded input unchanged). */
export async function isFresh() {
  let recorded;
  try {
    recorded = JSON.parse(await readFile(STAMP, 'utf8'));
  } catch {
    return false;
  }
  try {
    for (const [file, sig] of Object.entries(recorded)) if ((await signature(file)) !== sig) return false;
  } catch {
    return false;
  }
  // A new source file only matters once an input imports it, and that import changes the input.
  return true;
}

/** Builds dist/ from src/; returns the build's duration, ms. */
export async function build() {
  const t0 = performance.now();
  // Signatures from before the build reads the sources: a file edited while it runs looks changed next time.
  const before = new Map();
  for (const file of [...(await sourceFiles('src')), ...EXTRA_INPUTS]) before.set(file, await signature(file).catch(() => 'gone'));
  const esbuild = await import('esbuild');
  const results = await Promise.all(Object.entries(ENTRIES).map(([name, source]) => esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { [name]: source },
    outdir: DIST,
    chunkNames: `${CHUNKS}/[name]-[hash]`,
    bundle: true,
    splitting: true,
    external: EXTERNAL,
    banner: { js: BANNER },
    platform: 'node',
    format: 'esm',
    target: 'node20',
    metafile: true,
    write: false,
    logLevel: 'warning',
  })));
  const inputs = new Set(results.flatMap((r) => Object.keys(r.metafile.inputs)).filter((file) => !file.startsWith('node_modules/')));
  const stamp = {};
  for (const file of [...inputs, ...EXTRA_INPUTS]) stamp[file] = before.get(file) ?? 'unknown';
  const suffix = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const put = async (file, contents) => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file + suffix, contents);
    await rename(file + suffix, file);
  };
  // Chunks first (content-named), then the entries that import them, then the stamp.
  const outputs = results.flatMap((r) => r.outputFiles).sort((a, b) => Number(!a.path.includes(`/${CHUNKS}/`)) - Number(!b.path.includes(`/${CHUNKS}/`)));
  for (const output of outputs) await put(output.path, output.contents);
  await put(STAMP, `${JSON.stringify(stamp, null, 1)}\n`);
  await removeStaleChunks(new Set(outputs.map((o) => o.path)));
  return performance.now() - t0;
}

async function sourceFiles(dir) {
  const entries = await readdir(path.join(ROOT, dir), { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : [path.join(dir, e.name)])));
  return nested.flat();
}

async function removeStaleChunks(current) {
  const dir = path.join(DIST, CHUNKS);
  for (const name of await readdir(dir).catch(() => [])) {
    const file = path.join(dir, name);
    if (current.has(file)) continue;
    const age = Date.now() - (await stat(file).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > STALE_CHUNK_MS) await rm(file, { force: true });
  }
}

/** Builds unless dist/ is fresh. */
export async function ensureBuilt() {
  if (!(await isFresh())) await build();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const fresh = process.argv.includes('--if-stale') && (await isFresh());
  if (!fresh) {
    const ms = await build();
    if (process.argv.includes('--verbose')) process.stderr.write(`built dist/ in ${ms.toFixed(0)} ms\n`);
  }
}
