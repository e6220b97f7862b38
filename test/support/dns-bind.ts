/**
 * A private BIND 9 (`named -g`) for the RFC 2136 tests: one primary zone on a free loopback
 * port, open to dynamic updates signed with the TSIG keys made here. Debian's `bind9`
 * package; missing it is a failure, never a skip (.ci/run installs it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { answersSoa } from './dns-lookup.js';

export type BindKey = { name: string; algorithm: 'hmac-sha256' | 'hmac-sha512'; secret: string };

export type BindInstance = {
  host: '127.0.0.1';
  port: number;
  zone: string;
  /** May update TXT records anywhere in the zone. */
  updateKey: BindKey;
  /** The same grant, HMAC-SHA512. */
  updateKey512: BindKey;
  /** Known to the server, granted nothing: its updates are REFUSED. */
  readOnlyKey: BindKey;
  /** Milliseconds from spawning named to it answering for the zone. */
  startMs: number;
  workDir: string;
  stop(): Promise<void>;
};

const key = (name: string, algorithm: BindKey['algorithm']): BindKey =>
  ({ name, algorithm, secret: randomBytes(algorithm === 'hmac-sha256' ? 32 : 64).toString('base64') });

const udpFree = (port: number) => new Promise<boolean>((resolve) => {
  const socket = createSocket('udp4');
  socket.once('error', () => { socket.close(); resolve(false); });
  socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
});

/** A port free for TCP and UDP on 127.0.0.1 right now (named binds both). */
export async function freeTcpUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
    const free = await udpFree(port);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (free) return port;
  }
  throw new Error('No port free for both TCP and UDP on 127.0.0.1');
}

function namedConf(dir: string, port: number, zone: string, keys: BindKey[], grantees: BindKey[]): string {
  return `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  managed-keys-directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  dnssec-validation no;
};
controls { };
${keys.map((k) => `key "${k.name}" { algorithm ${k.algorithm}; secret "${k.secret}"; };`).join('\n')}
zone "${zone}" {
  type primary;
  file "${dir}/${zone}.db";
  update-policy { ${grantees.map((k) => `grant ${k.name} zonesub TXT;`).join(' ')} };
};
`;
}

const zoneFile = (zone: string) => `$TTL 60
@ IN SOA ns1.${zone}. hostmaster.${zone}. 1 3600 600 86400 60
@ IN NS ns1.${zone}.
ns1 IN A 127.0.0.1
`;

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

export async function startBind(options: { zone?: string; startTimeoutMs?: number } = {}): Promise<BindInstance> {
  const zone = options.zone ?? 'example.test';
  const workDir = await mkdtemp(join(tmpdir(), 'certledger-bind-'));
  const port = await freeTcpUdpPort();
  const updateKey = key('certledger-update', 'hmac-sha256');
  const updateKey512 = key('certledger-update-512', 'hmac-sha512');
  const readOnlyKey = key('certledger-readonly', 'hmac-sha256');
  await writeFile(join(workDir, 'named.conf'), namedConf(workDir, port, zone, [updateKey, updateKey512, readOnlyKey], [updateKey, updateKey512]));
  await writeFile(join(workDir, `${zone}.db`), zoneFile(zone));

  const log = await open(join(workDir, 'named.log'), 'w');
  const t0 = performance.now();
  // -g: foreground, log to stderr; -4: IPv4 only; -n 1: one worker thread is plenty for a test zone.
  // Debian puts named in /usr/sbin, which a non-login PATH may lack.
  const env = { ...process.env, PATH: [process.env.PATH, '/usr/sbin', '/sbin'].filter(Boolean).join(delimiter) };
  const child = spawn('named', ['-g', '-4', '-n', '1', '-c', join(workDir, 'named.conf')], { cwd: workDir, env, stdio: ['ignore', log.fd, log.fd] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(Object.assign(
      new Error(`The RFC 2136 tests need BIND (named), which did not start: ${error.message}. Install it: \`apt-get install -y --no-install-recommends bind9\` (.ci/run does).`),
      { cause: error },
    )));
  }).finally(() => log.close());
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await stopProcess(child);
    await rm(workDir, { recursive: true, force: true });
  };

  const logTail = async () => (await readFile(join(workDir, 'named.log'), 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`named exited (${child.exitCode ?? child.signalCode}) while starting; its log:\n${await logTail()}`);
      if (await answersSoa({ host: '127.0.0.1', port }, zone)) break;
      if (Date.now() > deadline) throw new Error(`named did not answer for ${zone} on 127.0.0.1:${port} in time; its log:\n${await logTail()}`);
      await sleep(20);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const startMs = Math.round(performance.now() - t0);
  return { host: '127.0.0.1', port, zone, updateKey, updateKey512, readOnlyKey, startMs, workDir, stop };
}
