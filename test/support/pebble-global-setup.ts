/**
 * vitest globalSetup: ONE Pebble (+ challtestsrv) per test run, on ports the OS picks so two
 * runs on one machine never collide. Test files reach it with `connectPebble(inject('pebble'))`.
 * Pebble missing is a failure (CI or not), never a skip.
 */
import type { TestProject } from 'vitest/node';
import { startPebble } from './pebble.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pebble = await startPebble({ ports: 'free' });
  const { directoryUrl, caPem, managementUrl, challtestsrvUrl, ports, startMs } = pebble;
  project.provide('pebble', { directoryUrl, caPem, managementUrl, challtestsrvUrl, ports, startMs });
  return () => pebble.stop();
}
