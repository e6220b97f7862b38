/** Shared by the site tests: a Pebble stack whose clock can move, and given certificates from a test CA. */
import { inject } from 'vitest';
import type { SiteDeps, SiteIssuer } from '../../src/commands/site/deps.js';
import { siteStreams } from '../../src/domain/shared/ids.js';
import { newAccount, startOrderStack, type OrderStack } from '../acme/orders-support.js';
import { createTestChain } from '../support/pki.js';

export const DAY = 86_400_000;

export type SiteStack = OrderStack & { deps: SiteDeps; siteDeps: SiteDeps; issuer: SiteIssuer; shift: (ms: number) => void };

/** dns-01 through challtestsrv: Pebble's shared http-01 port stays free for other files. */
export async function startSiteStack(): Promise<SiteStack> {
  const stack = await startOrderStack(inject('pebble'));
  let offsetMs = 0;
  const siteDeps: SiteDeps = { ...stack.orderDeps, now: () => new Date(Date.now() + offsetMs) };
  const accountId = await newAccount(stack);
  return { ...stack, siteDeps, issuer: { accountId, challengeType: 'dns-01' }, shift: (ms) => { offsetMs += ms; } };
}

/** A certificate and key for `names` from a fresh test CA, as a caller would give them. */
export async function givenCertificate(names: string[], notAfter: Date, notBefore = new Date(Date.now() - DAY)) {
  const chain = await createTestChain({ names, notAfter, notBefore, keyAlgorithm: 'EC' });
  return { certificatePem: chain.leaf.certPem, chainPems: [chain.chainPem], privateKeyPem: chain.leaf.keyPem };
}

export const siteEventTypes = async (stack: OrderStack, siteId: string) =>
  (await stack.deps.store.readStream(siteStreams.site(siteId))).map((e) => e.type);

export const renewalRow = (stack: OrderStack, id: string) =>
  stack.handle.db.selectFrom('renewal_configurations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

export const ordersFor = (stack: OrderStack, name: string) => stack.handle.db.selectFrom('acme_orders').select(['id'])
  .where('domain_names', '@>', JSON.stringify([name]) as never).execute();
