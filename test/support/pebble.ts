/**
 * Pebble (the ACME test server) and pebble-challtestsrv (its mock DNS), started for real:
 * see ../shared/PEERS.md. The Debian package ships no certificate for Pebble's own listener,
 * so one is made here (test/support/pki.ts) and `caPem` is what clients must trust.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { createCa, issueLeaf } from './pki.js';
import { challtestsrvClient, fetchManagementPems, type ChalltestsrvClient } from './pebble-clients.js';
import { freePorts, type PebblePorts } from './pebble-ports.js';

export type { ChalltestsrvClient } from './pebble-clients.js';
export type { PebblePorts } from './pebble-ports.js';

export const DEFAULT_PEBBLE_PORTS: PebblePorts = {
  acme: 14000, management: 15000, httpPort: 5002, tlsPort: 5001, dns: 8053, challtestsrvManagement: 8055,
};

/** In `domainBlocklist`: newOrder for it (or a subdomain) fails with rejectedIdentifier. */
export const PEBBLE_BLOCKED_DOMAIN = 'blocked.example.test';

/** Plain data, so vitest's `provide`/`inject` can carry it from the global setup to test files. */
export type PebbleCoordinates = {
  directoryUrl: string;
  /** The CA of Pebble's listener (ACME and management): trust it, never the system store. */
  caPem: string;
  managementUrl: string;
  challtestsrvUrl: string;
  ports: PebblePorts;
  /** Milliseconds from startPebble() to both servers answering. */
  startMs: number;
};

export type PebbleHandle = PebbleCoordinates & {
  challtestsrv: ChalltestsrvClient;
  /** Root 0 issues the default chain; 1… the alternates. New at every Pebble start. */
  roots(): Promise<string[]>;
  intermediates(): Promise<string[]>;
};

export type PebbleInstance = PebbleHandle & { workDir: string; stop(): Promise<void> };

export type StartPebbleOptions = {
  /** Defaults to DEFAULT_PEBBLE_PORTS; 'free' asks the OS (what the shared test instance does). */
  ports?: Partial<PebblePorts> | 'free';
  /** PEBBLE_* variables over the defaults below (e.g. PEBBLE_WFE_NONCEREJECT). */
  env?: Record<string, string>;
  /** Members merged into pebble.json's "pebble" object (certificateValidityPeriod, EAB keys…). */
  config?: Record<string, unknown>;
  startTimeoutMs?: number;
};

declare module 'vitest' {
  export interface ProvidedContext {
    pebble: PebbleCoordinates;
  }
}

const DEFAULT_ENV = { PEBBLE_VA_NOSLEEP: '1', PEBBLE_AUTHZREUSE: '0', PEBBLE_CHAIN_LENGTH: '3', PEBBLE_ALTERNATE_ROOTS: '2' };

async function onPath(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      await access(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

export async function assertPebbleInstalled(): Promise<void> {
  const missing = [];
  for (const name of ['pebble', 'pebble-challtestsrv']) if (!(await onPath(name))) missing.push(name);
  if (missing.length === 0) return;
  const how = process.env.CI === 'true'
    ? 'CI=true: .ci/run installs it (`apt-get install -y --no-install-recommends pebble`) before `npm ci` — did that step run?'
    : 'Install it: `apt-get update && apt-get install -y pebble` (see ../shared/PEERS.md).';
  throw new Error(`The ACME tests need Pebble, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not on PATH. ${how}`);
}

/** A handle on a running Pebble from its coordinates (in test files: `connectPebble(inject('pebble'))`). */
export function connectPebble(coordinates: PebbleCoordinates): PebbleHandle {
  return {
    ...coordinates,
    challtestsrv: challtestsrvClient(coordinates.challtestsrvUrl),
    roots: () => fetchManagementPems(coordinates.managementUrl, coordinates.caPem, 'roots'),
    intermediates: () => fetchManagementPems(coordinates.managementUrl, coordinates.caPem, 'intermediates'),
  };
}

function pebbleConfig(ports: PebblePorts, extra: Record<string, unknown>) {
  return {
    pebble: {
      listenAddress: `127.0.0.1:${ports.acme}`,
      managementListenAddress: `127.0.0.1:${ports.management}`,
      certificate: 'cert.pem',
      privateKey: 'key.pem',
      httpPort: ports.httpPort,
      tlsPort: ports.tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
      domainBlocklist: [PEBBLE_BLOCKED_DOMAIN],
      ...extra,
    },
  };
}

async function startProcess(workDir: string, name: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const log = await open(join(workDir, `${name}.log`), 'w');
  const child = spawn(name, args, { cwd: workDir, env, stdio: ['ignore', log.fd, log.fd] });
  child.once('spawn', () => void log.close());
  child.once('error', () => void log.close());
  return child;
}

const tcpOpen = (port: number) => new Promise<boolean>((resolve) => {
  const socket = createConnection({ host: '127.0.0.1', port }, () => { socket.destroy(); resolve(true); });
  socket.once('error', () => resolve(false));
});

async function directoryAnswers(url: string, dispatcher: Agent): Promise<boolean> {
  try {
    const response = await request(url, { dispatcher, headersTimeout: 1_000, bodyTimeout: 1_000 });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}

async function logTail(workDir: string, name: string): Promise<string> {
  const text = await readFile(join(workDir, `${name}.log`), 'utf8').catch(() => '');
  return text.split('\n').slice(-15).join('\n');
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

export async function startPebble(options: StartPebbleOptions = {}): Promise<PebbleInstance> {
  const t0 = performance.now();
  await assertPebbleInstalled();
  const ports = options.ports === 'free' ? await freePorts() : { ...DEFAULT_PEBBLE_PORTS, ...options.ports };
  const workDir = await mkdtemp(join(tmpdir(), 'certledger-pebble-'));
  const ca = await createCa({ name: 'certledger test Pebble listener CA' });
  const leaf = await issueLeaf(ca, { names: ['localhost', '127.0.0.1'], keyAlgorithm: 'EC' });
  await Promise.all([
    writeFile(join(workDir, 'ca.pem'), ca.certPem),
    writeFile(join(workDir, 'cert.pem'), leaf.certPem),
    writeFile(join(workDir, 'key.pem'), leaf.keyPem, { mode: 0o600 }),
    writeFile(join(workDir, 'pebble.json'), JSON.stringify(pebbleConfig(ports, options.config ?? {}), null, 2)),
  ]);

  // Inherited PEBBLE_* would silently change behaviour (e.g. nonce rejection off): drop them.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PEBBLE_')));
  const children = [
    await startProcess(workDir, 'pebble-challtestsrv', [
      '-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dns01', `127.0.0.1:${ports.dns}`,
      '-http01', '', '-https01', '', '-tlsalpn01', '', '-management', `127.0.0.1:${ports.challtestsrvManagement}`,
    ], env),
    await startProcess(workDir, 'pebble', ['-config', 'pebble.json', '-dnsserver', `127.0.0.1:${ports.dns}`], { ...env, ...DEFAULT_ENV, ...options.env }),
  ];
  const killOnExit = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await Promise.all(children.map(stopProcess));
    await rm(workDir, { recursive: true, force: true });
  };

  const coordinates = {
    directoryUrl: `https://127.0.0.1:${ports.acme}/dir`,
    caPem: ca.certPem,
    managementUrl: `https://127.0.0.1:${ports.management}`,
    challtestsrvUrl: `http://127.0.0.1:${ports.challtestsrvManagement}`,
    ports,
  };
  const dispatcher = new Agent({ connect: { ca: ca.certPem } });
  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    for (;;) {
      const dead = children.find((child) => child.exitCode !== null || child.signalCode !== null);
      if (dead) {
        const name = dead.spawnfile;
        throw new Error(`${name} exited (${dead.exitCode ?? dead.signalCode}) while starting; its log:\n${await logTail(workDir, name)}`);
      }
      const ready = await Promise.all([
        directoryAnswers(coordinates.directoryUrl, dispatcher),
        tcpOpen(ports.management),
        tcpOpen(ports.challtestsrvManagement),
      ]);
      if (ready.every(Boolean)) break;
      if (Date.now() > deadline) {
        throw new Error(`Pebble did not answer at ${coordinates.directoryUrl} in time; its log:\n${await logTail(workDir, 'pebble')}`);
      }
      await sleep(25);
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    await dispatcher.close();
  }
  const startMs = Math.round(performance.now() - t0);
  return { ...connectPebble({ ...coordinates, startMs }), workDir, stop };
}
