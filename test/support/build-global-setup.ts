/**
 * vitest globalSetup: dist/ compiled once before any test file starts, so the files that spawn
 * the service or the CLI (which rebuild when stale) never build it side by side.
 */
import { ensureBuilt } from '../../scripts/build.mjs';

export default async function setup(): Promise<void> {
  await ensureBuilt();
}
