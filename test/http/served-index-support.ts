import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { createAdminApp } from '../../src/http/admin-app.js';
import type { AppDeps, ProjectionsView } from '../../src/http/app-deps.js';
import { createFastLookup, type FastLookup } from '../../src/http/fast-lookup.js';
import { createServedIndex, type ServedIndex, type ServedIndexSettings } from '../../src/http/served-index/served-index.js';
import type { Database } from '../../src/infra/db/schema.js';
import { silentLogger } from '../../src/infra/logger.js';
import type { TestStack } from '../support/app.js';

export type FastServer = { url: string; index: ServedIndex; lookup: FastLookup; deps: AppDeps; close: () => Promise<void> };

/**
 * main.ts's admin listener on a test stack: the served index and the fast path in front of an
 * Express admin app, whose commands shred through the index's vault. The stack's own admin server
 * stays plain Express: the reference every fast answer is compared with.
 */
export async function startFastServer(
  stack: TestStack,
  options: { db?: Kysely<Database>; projections?: ProjectionsView; budgetBytes?: number; settings?: Partial<ServedIndexSettings>; start?: boolean } = {},
): Promise<FastServer> {
  const index = createServedIndex({
    db: options.db ?? stack.deps.db,
    store: stack.deps.store,
    vault: stack.deps.vault,
    projections: options.projections ?? stack.deps.projections,
    logger: silentLogger,
    fragmentBudgetBytes: options.budgetBytes ?? 8 * 1024 * 1024,
    settings: { refreshIntervalMs: 20, ...options.settings },
  });
  const deps: AppDeps = { ...stack.deps, vault: index.vault, servedIndex: index, projections: options.projections ?? stack.deps.projections };
  const lookup = createFastLookup(deps, index, createAdminApp(deps));
  const server: Server = createServer(lookup);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  if (options.start !== false) index.start();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    index,
    lookup,
    deps,
    close: async () => {
      await new Promise((r) => server.close(r));
      await index.stop();
    },
  };
}

export type Answer = { status: number; body: string; headers: Record<string, string | null> };

const HEADERS = ['content-type', 'content-length', 'x-peter-sslers', 'www-authenticate', 'etag', 'x-powered-by'];

export async function answerOf(url: string, init?: RequestInit): Promise<Answer> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.text(), headers: Object.fromEntries(HEADERS.map((h) => [h, res.headers.get(h)])) };
}
