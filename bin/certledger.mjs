#!/usr/bin/env node
// The `certledger` command: the compiled CLI in dist/ (scripts/build.mjs), as `npm start` runs
// the compiled service. In a checkout it is rebuilt first when a source changed; an install
// without the sources (the Docker image) runs the dist/ it ships.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../src/cli/main.ts', import.meta.url))) {
  const { ensureBuilt } = await import('../scripts/build.mjs');
  await ensureBuilt();
}
await import('../dist/cli/main.js');
