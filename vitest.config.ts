import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One real Pebble (+ challtestsrv) per run for the ACME tests: connectPebble(inject('pebble')).
    globalSetup: ['test/support/build-global-setup.ts', 'test/support/pebble-global-setup.ts'],
    // PGlite start-up dominates: two workers match the two cores CI has.
    maxWorkers: 2,
  },
});
