import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/infra/db/kysely.js';
import type { RecordedEvent } from '../../src/infra/eventstore/port.js';
import { ids } from '../../src/infra/ids.js';
import { auditProjection } from '../../src/projections/audit.projection.js';
import { catalogProjection } from '../../src/projections/catalog.projection.js';
import { applyEvents } from '../../src/projections/checkpoints.js';
import type { Projection } from '../../src/projections/projection.js';
import { openTestDatabase } from '../support/db.js';

/** A small deterministic PRNG, so a failure replays the same log. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();

/**
 * A log mixing every catalog event type and the audit's learning rules (imports, chain links with
 * a changing default, marks in every order, CA chains and a policy change mid-run, domain and key
 * marks, ACME orders that a certificate learns later, renewal configurations, sites), plus a mark
 * written before its certificate's import.
 */
function buildLog(seed: number, count: number): RecordedEvent[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const events: RecordedEvent[] = [];
  const revisions = new Map<string, bigint>();
  const push = (streamName: string, type: string, data: Record<string, unknown>) => {
    const revision = revisions.get(streamName) ?? 0n;
    revisions.set(streamName, revision + 1n);
    const position = BigInt(events.length + 1);
    events.push({
      id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`, streamName, revision, position, type, data,
      metadata: { schemaVersion: 1 }, createdAt: day(events.length % 300),
    });
  };
  const names = Array.from({ length: 10 }, (_, i) => `n${i}.batch.test`);
  const keys = ['k1', 'k2', 'k3'].map((k) => ids.privateKey(k));
  const cas = ['ca-a', 'ca-b', 'ca-c'].map((label) => ({ id: ids.caCertificate(label), sha1: label.padEnd(40, '1'), label }));
  const chains = [[cas[0]!.id, cas[2]!.id], [cas[1]!.id, cas[2]!.id]].map((caCertificateIds) => ({ id: ids.caChain(caCertificateIds), caCertificateIds }));
  const certificates: { id: string; domainNames: string[]; key: string }[] = [];
  const orders: string[] = [];

  const importCa = (ca: (typeof cas)[number]) => push(`caCertificate-${ca.id}`, 'CaCertificateImported', {
    caCertificateId: ca.id, pem: `PEM ${ca.label}\n`, fingerprintSha1: ca.sha1, fingerprintSha256: ca.label.padEnd(64, '2'), spkiSha256: `spki ${ca.label}`,
    serial: '01', subject: `CN=${ca.label}`, issuer: 'CN=root', notBefore: day(0), notAfter: day(3000), isSelfSigned: false, importedAt: day(1),
  });
  const importChain = (chain: (typeof chains)[number]) => push(`caChain-${chain.id}`, 'CaChainImported', { caChainId: chain.id, caCertificateIds: chain.caCertificateIds, importedAt: day(2) });
  const importCertificate = (id: string, domainNames: string[], key: string, n: number) => push(`certificate-${id}`, 'CertificateImported', {
    certificateId: id, pem: `PEM ${id}\n`, fingerprintSha1: id.slice(0, 40), fingerprintSha256: id, spkiSha256: `spki ${key}`, serial: String(n),
    subject: `CN=${domainNames[0]}`, issuer: 'CN=ca-a', notBefore: day(n % 200), notAfter: day(90 + (n * 7) % 400), domainNames,
    uniqueFqdnSetId: ids.uniqueFqdnSet(domainNames), privateKeyId: key, keyTechnology: 'EC_P256', isExpired: n % 9 === 0, importedAt: day(n % 250),
  });
  const mark = (type: string, certificateId: string, n: number) => push(`certificate-${certificateId}`, type, {
    certificateId, reason: `reason ${n}`, actor: 'test', cause: 'manual', latestForDomainIds: [],
    deactivatedAt: day(n), activatedAt: day(n), markedAt: day(n),
  });

  cas.forEach(importCa);
  importChain(chains[0]!);
  // A mark before its certificate exists: it finds no row; the import after it must still insert an active certificate.
  const early = ids.certificate('early');
  mark('CertificateDeactivated', early, 3);
  importCertificate(early, [names[0]!], keys[0]!, 1);

  for (let n = 0; events.length < count; n += 1) {
    const roll = next();
    if (roll < 0.3 || certificates.length < 3) {
      const key = pick(keys);
      const first = pick(names);
      const domainNames = next() < 0.3 ? [...new Set([first, pick(names)])].sort() : [first];
      const id = ids.certificate(`cert-${n}`);
      push(`privateKey-${key}`, 'PrivateKeyImported', { privateKeyId: key, keyTechnology: 'EC_P256', spkiSha256: `spki ${key}`, source: 'upload', importedAt: day(n % 100) });
      importCertificate(id, domainNames, key, n);
      push(`certificate-${id}`, 'CertificateChainLinked', { certificateId: id, caChainId: chains[0]!.id, isDefault: true, linkedAt: day(n % 100) });
      certificates.push({ id, domainNames, key });
    } else if (roll < 0.45) {
      const certificate = pick(certificates);
      const chain = pick(chains);
      push(`certificate-${certificate.id}`, 'CertificateChainLinked', { certificateId: certificate.id, caChainId: chain.id, isDefault: next() < 0.5, linkedAt: day(n % 100) });
    } else if (roll < 0.65) {
      mark(pick(['CertificateDeactivated', 'CertificateActivated', 'CertificateRevocationMarked']), pick(certificates).id, n);
    } else if (roll < 0.7) {
      // The same certificate imported again: its first row stays.
      const certificate = pick(certificates);
      importCertificate(certificate.id, certificate.domainNames, certificate.key, n + 1);
    } else if (roll < 0.73) {
      const name = pick(names);
      push(`domain-${ids.domain(name)}`, next() < 0.5 ? 'DomainDeactivated' : 'DomainActivated', {
        domainId: ids.domain(name), domainName: name, reason: 'test', actor: 'test', deactivatedAt: day(n), activatedAt: day(n),
      });
    } else if (roll < 0.75) {
      const key = pick(keys);
      push(`privateKey-${key}`, 'PrivateKeyCompromiseMarked', { privateKeyId: key, reason: 'leaked', actor: 'test', markedAt: day(n) });
    } else if (roll < 0.77) {
      push('chainPreference-policy', 'ChainPreferencePolicySet', { fingerprintsSha1: next() < 0.5 ? [cas[1]!.sha1, cas[0]!.sha1] : [cas[0]!.sha1], setAt: day(n) });
    } else if (roll < 0.78 && revisions.get(`caChain-${chains[1]!.id}`) === undefined) {
      importChain(chains[1]!);
    } else if (roll < 0.86) {
      const orderId = `order-${n}`;
      orders.push(orderId);
      push(`acmeOrder-${orderId}`, 'AcmeOrderCreated', { orderId, identifiers: [{ type: 'dns', value: pick(names) }], uniqueFqdnSetId: ids.uniqueFqdnSet([pick(names)]) });
    } else if (roll < 0.92 && orders.length > 0) {
      const orderId = pick(orders);
      push(`acmeOrder-${orderId}`, 'AcmeCertificateDownloaded', { orderId, certificateId: pick(certificates).id, downloadedAt: day(n) });
    } else if (roll < 0.96) {
      const configurationId = `renewal-${n % 7}`;
      push(`renewalConfiguration-${configurationId}`, 'RenewalConfigurationCreated', { configurationId, domainNames: [pick(names)] });
    } else {
      const siteId = `site-${n % 3}`;
      push(`site-${siteId}`, next() < 0.5 ? 'SiteDeployed' : 'SiteBackedUp', { siteId, hostNames: next() < 0.5 ? [pick(names)] : [] });
    }
  }
  return events;
}

const projections: readonly Projection[] = [catalogProjection, auditProjection];

describe.each(['pglite', 'postgres'] as const)('batch apply equals apply one by one (%s)', (kind) => {
  let handle: DatabaseHandle;
  const log = buildLog(7, 400);

  beforeAll(async () => { handle = await openTestDatabase(kind); }, 120_000);
  afterAll(async () => handle?.close());

  const snapshot = async (projection: Projection) => {
    const result: Record<string, string[]> = {};
    for (const table of projection.tables) {
      const rows = await handle.db.selectFrom(table).selectAll().execute();
      result[table] = rows.map((row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).sort();
    }
    return result;
  };
  const reset = async (projection: Projection) => {
    for (const table of projection.tables) await handle.db.deleteFrom(table).execute();
  };
  const ofTypes = (projection: Projection) => log.filter((e) => projection.eventTypes.includes(e.type));
  const oneByOne = async (projection: Projection) => {
    await handle.db.transaction().execute(async (trx) => {
      for (const event of ofTypes(projection)) await projection.apply(trx, event);
    });
  };
  /** Straight through applyBatch (no fallback), in runs of `size` events, each its own transaction as the runner does. */
  const batched = async (projection: Projection, size: number) => {
    const events = ofTypes(projection);
    for (let at = 0; at < events.length; at += size) {
      await handle.db.transaction().execute((trx) => projection.applyBatch!(trx, events.slice(at, at + size)));
    }
  };

  it.each(projections.map((p) => [p.name, p] as const))('%s: the same rows in every table, whole log or runs of 3, 7 and 100', async (_name, projection) => {
    expect(projection.applyBatch).toBeDefined();
    await reset(projection);
    await oneByOne(projection);
    const expected = await snapshot(projection);
    // The log exercises what it is meant to: recents, marks, refs learnt later.
    if (projection === catalogProjection) {
      expect(expected.domains!.some((row) => row.includes('"certificate_latest_single_id":"'))).toBe(true);
      expect(expected.certificates!.some((row) => row.includes('"is_revoked":true'))).toBe(true);
      expect(expected.certificate_chains!.some((row) => row.includes('"is_selected":true'))).toBe(true);
    } else {
      expect(expected.audit_refs!.length).toBeGreaterThan(log.length);
    }
    for (const size of [log.length, 3, 7, 100]) {
      await reset(projection);
      await batched(projection, size);
      expect(await snapshot(projection), `runs of ${size}`).toEqual(expected);
    }
    // A replay over built tables (a rebuild racing the live runner): what apply one by one makes of it.
    // Not always a no-op (a subject learnt late reaches early events; a mark replayed after its import finds the row).
    await reset(projection);
    await oneByOne(projection);
    await oneByOne(projection);
    const replayed = await snapshot(projection);
    await reset(projection);
    await batched(projection, log.length);
    await batched(projection, 50);
    expect(await snapshot(projection)).toEqual(replayed);
  }, 180_000);

  it('catalog: the replay form in runs, then its finish, gives the same rows as apply one by one', async () => {
    const replay = catalogProjection.replay!;
    await reset(catalogProjection);
    await oneByOne(catalogProjection);
    const expected = await snapshot(catalogProjection);
    for (const size of [log.length, 7, 100]) {
      await reset(catalogProjection);
      const events = ofTypes(catalogProjection);
      for (let at = 0; at < events.length; at += size) {
        await handle.db.transaction().execute((trx) => applyEvents(trx, catalogProjection, events.slice(at, at + size), 'replay'));
      }
      // Left for the finish: without it, recents would differ.
      if (size === log.length) expect(await snapshot(catalogProjection)).not.toEqual(expected);
      await handle.db.transaction().execute((trx) => replay.finish(trx));
      expect(await snapshot(catalogProjection), `runs of ${size}`).toEqual(expected);
    }
  }, 180_000);

  it('applyEvents falls back to apply one by one when the batch form fails, and still names a failing event', async () => {
    const events = ofTypes(catalogProjection).slice(0, 40);
    await reset(catalogProjection);
    await handle.db.transaction().execute((trx) => events.reduce((p, e) => p.then(() => catalogProjection.apply(trx, e)), Promise.resolve()));
    const expected = await snapshot(catalogProjection);
    await reset(catalogProjection);
    const broken: Projection = { ...catalogProjection, applyBatch: async (trx) => { await sql`SELECT 1 / 0`.execute(trx); } };
    await handle.db.transaction().execute((trx) => applyEvents(trx, broken, events));
    expect(await snapshot(catalogProjection)).toEqual(expected);

    const failing: Projection = { ...broken, apply: () => Promise.reject(new Error('no')) };
    await expect(handle.db.transaction().execute((trx) => applyEvents(trx, failing, events))).rejects.toThrow(`on ${events[0]!.type} ${events[0]!.id}`);
  });
});
