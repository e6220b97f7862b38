/** The Pebble harness itself: mock DNS, management roots, and a clear failure when Pebble is missing. */
import { Resolver } from 'node:dns/promises';
import { X509Certificate } from 'node:crypto';
import { afterEach, expect, inject, it } from 'vitest';
import { assertPebbleInstalled, connectPebble } from '../support/pebble.js';

const pebble = connectPebble(inject('pebble'));
const resolver = new Resolver();
resolver.setServers([`127.0.0.1:${pebble.ports.dns}`]);
const savedEnv = { PATH: process.env.PATH, CI: process.env.CI };

afterEach(() => {
  process.env.PATH = savedEnv.PATH;
  if (savedEnv.CI === undefined) delete process.env.CI;
  else process.env.CI = savedEnv.CI;
});

it('serves TXT and A records set through challtestsrv, 127.0.0.1 otherwise', async () => {
  await pebble.challtestsrv.setTxt('_acme-challenge.harness.example.test', 'txt-value');
  await pebble.challtestsrv.addA('a.harness.example.test.', ['10.1.2.3']);
  expect(await resolver.resolveTxt('_acme-challenge.harness.example.test')).toEqual([['txt-value']]);
  expect(await resolver.resolve4('a.harness.example.test')).toEqual(['10.1.2.3']);
  expect(await resolver.resolve4('anything-else.example.test')).toEqual(['127.0.0.1']);
  await pebble.challtestsrv.clearTxt('_acme-challenge.harness.example.test');
  await pebble.challtestsrv.clearA('a.harness.example.test');
  await expect(resolver.resolveTxt('_acme-challenge.harness.example.test')).rejects.toThrow();
  expect(await resolver.resolve4('a.harness.example.test')).toEqual(['127.0.0.1']);
});

it('lists the issuing roots and intermediates of this Pebble (PEBBLE_ALTERNATE_ROOTS=2)', async () => {
  const roots = (await pebble.roots()).map((pem) => new X509Certificate(pem));
  expect(roots).toHaveLength(3);
  expect(new Set(roots.map((root) => root.fingerprint256)).size).toBe(3);
  for (const root of roots) expect(root.ca && root.verify(root.publicKey)).toBe(true);
  expect(await pebble.intermediates()).toHaveLength(3);
  // A figure, not a timed assertion: a loaded machine must not fail the suite.
  console.log(`[pebble] started in ${Math.round(pebble.startMs)} ms`);
});

it.each([['true', /CI=true: \.ci\/run installs it/], [undefined, /apt-get install -y pebble/]])(
  'fails clearly when pebble is not installed (CI=%s)',
  async (ci, how) => {
    process.env.PATH = '/nonexistent';
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    await expect(assertPebbleInstalled()).rejects.toThrow(/The ACME tests need Pebble, but pebble and pebble-challtestsrv are not on PATH/);
    await expect(assertPebbleInstalled()).rejects.toThrow(how);
  },
);
