/**
 * Shared by the order tests: a test stack on the run's Pebble, an ACME account, dns-01 through
 * challtestsrv, and the public app on Pebble's httpPort (where its VA fetches http-01 answers).
 * One test file at a time can hold that port: `holdHttpPort` waits for it.
 */
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { X509Certificate } from 'node:crypto';
import type { AcmeOrderDeps } from '../../src/commands/acme-order/deps.js';
import { createPublicApp } from '../../src/http/public-app.js';
import { createChalltestsrvProvider } from '../../src/infra/dns/challtestsrv.js';
import type { DnsProvider } from '../../src/infra/dns/port.js';
import { createTestAcmeAccount, startTestStack, type TestStack } from '../support/app.js';
import { connectPebble, type PebbleCoordinates, type PebbleHandle } from '../support/pebble.js';

export type OrderStack = TestStack & { pebble: PebbleHandle; dns: DnsProvider; orderDeps: AcmeOrderDeps };

export async function startOrderStack(
  coordinates: PebbleCoordinates, kind: 'pglite' | 'postgres' = 'pglite', options: Omit<Parameters<typeof startTestStack>[1], 'pebble'> = {},
): Promise<OrderStack> {
  const pebble = connectPebble(coordinates);
  const stack = await startTestStack(kind, { ...options, pebble: { directoryUrl: pebble.directoryUrl, caPem: pebble.caPem } });
  const dns = createChalltestsrvProvider({
    managementUrl: pebble.challtestsrvUrl,
    dnsServer: { host: '127.0.0.1', port: pebble.ports.dns },
    timeoutMs: 5_000,
  });
  stack.deps.dns = dns;
  return { ...stack, pebble, dns, orderDeps: { ...stack.deps, dns, poll: { maxWaitMs: 30_000 } } };
}

export const newAccount = (stack: OrderStack, options: Parameters<typeof createTestAcmeAccount>[1] = {}) => createTestAcmeAccount(stack, options);

let names = 0;
/** A name nobody else in this run uses (Pebble keeps authorizations per account and name). */
export const uniqueName = (label: string) => `${label}-${Date.now().toString(36)}-${(names += 1)}-${process.pid}.example.test`;

/** The public app on 127.0.0.1:httpPort, waiting while another test file holds the port. */
export const holdHttpPort = (stack: OrderStack, timeoutMs = 240_000): Promise<() => Promise<void>> =>
  holdPort(createPublicApp(stack.deps), stack.pebble.ports.httpPort, timeoutMs);

/** `app` on 127.0.0.1:`port`, waiting while another test file holds it; resolves to its closer. */
export async function holdPort(app: ReturnType<typeof createPublicApp>, port: number, timeoutMs = 240_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(port, '127.0.0.1');
        s.once('listening', () => resolve(s));
        s.once('error', reject);
      });
      return () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

/** Index of the root (Pebble's /roots/N) the chain ends under, or -1. */
export function rootIndexOf(chainPems: string[], roots: string[]): number {
  const top = new X509Certificate(chainPems.at(-1)!);
  return roots.map((pem) => new X509Certificate(pem)).findIndex((root) => top.checkIssued(root) && top.verify(root.publicKey));
}

/** Each certificate signs the one before it, from the leaf up. */
export function chainVerifies(pems: string[]): boolean {
  const certificates = pems.map((pem) => new X509Certificate(pem));
  return certificates.slice(1).every((issuer, i) => certificates[i]!.checkIssued(issuer) && certificates[i]!.verify(issuer.publicKey));
}

/** A process report's steps, printable (positions are bigints; errors are objects). */
export const stepsText = (steps: { step: string; ok: boolean; error?: unknown }[]) =>
  JSON.stringify(steps.map((s) => ({ step: s.step, ok: s.ok, ...(s.ok ? {} : { error: s.error instanceof Error ? s.error.message : String(s.error) }) })));
