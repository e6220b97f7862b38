import type { Kysely } from 'kysely';
import type { Database } from '../../infra/db/schema.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import type { Logger } from '../../infra/logger.js';
import type { ProjectionsView } from '../app-deps.js';
import { pemPayload, privateKeyPem } from '../queries/config-payload.js';
import { createFragmentCache, type Fragment } from './fragments.js';
import { catalogPosition, followCatalog } from './catalog-follower.js';
import { changedDomainNames } from './changes.js';
import { shredFirst } from './shred-first-vault.js';
import { certificatePems, domainPage, domainsNamed, type CertificateRow, type DomainRow } from './rows.js';

/** Shared by every certificate using the key: a shred marks it dead once for all of them. */
export type KeyState = { readonly id: string; live: boolean };
/** `fragment`: where its JSON was last found, so a hit costs no map lookup. */
export type ServedCertificate = { readonly id: string; readonly chainId: string; readonly key: KeyState; fragment?: Fragment };
export type DomainEntry = { readonly id: string; readonly name: string; readonly active: boolean; readonly single: ServedCertificate | null; readonly multi: ServedCertificate | null };

export type ServedIndexDeps = {
  db: Kysely<Database>;
  store: EventStore;
  vault: KeyVault;
  projections: ProjectionsView;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Budget of the PEM fragments (the domain entries come on top: ~250 bytes per domain). */
  fragmentBudgetBytes: number;
  settings?: Partial<ServedIndexSettings>;
};

export type ServedIndexSettings = { pageSize: number; refreshIntervalMs: number; maxIncrementalEvents: number };
const defaults: ServedIndexSettings = { pageSize: 5_000, refreshIntervalMs: 1_000, maxIncrementalEvents: 20_000 };

export type ServedIndexStats = { position: bigint | undefined; domains: number; fragments: number; fragmentBytes: number; fragmentBudgetBytes: number; fullLoads: number; refreshes: number };

export type ServedIndex = {
  start: () => void;
  stop: () => Promise<void>;
  /**
   * The domain by normalised name or lower-case id, only while the index is at the catalog's
   * current position; null: the catalog has no such domain (the index is current and whole);
   * undefined means "ask the database" (stale, loading).
   */
  domain: (key: string, byId: boolean) => DomainEntry | null | undefined;
  /** The certificate's `C` JSON with PEMs: from memory, else read once; null when it cannot be served from memory. */
  fragment: (certificate: ServedCertificate) => Fragment | Promise<Fragment | null>;
  /** The vault in front of which the index sits: its shred drops the key from memory first. */
  vault: KeyVault;
  /** Brings the index to the catalog's current position (single flight). */
  sync: () => Promise<void>;
  /** Rows changed without an event (update-recents): nothing is served from memory until a full load. */
  invalidate: () => void;
  stats: () => ServedIndexStats;
};

/**
 * An in-memory copy of what config.json answers for every domain, kept at the catalog
 * projection's checkpoint: entries are only served while the index's position equals the
 * checkpoint this process sees, so a client that waited for its write's position never reads an
 * older answer; a sync then reads only the domains the events since then touched.
 */
export function createServedIndex(deps: ServedIndexDeps): ServedIndex {
  const settings = { ...defaults, ...deps.settings };
  const fragments = createFragmentCache(deps.fragmentBudgetBytes);
  const keys = new Map<string, KeyState>();
  // Shredding is for good: a key shredded here stays dead whatever a read that began before says.
  const shredded = new Set<string>();
  let byName = new Map<string, DomainEntry>();
  let byId = new Map<string, DomainEntry>();
  let certificates = new Map<string, ServedCertificate>();
  let position: bigint | undefined;
  let fullNeeded = true;
  // Bumped by invalidate: a load or refresh that began before it records nothing as current.
  let generation = 0;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  const counts = { fullLoads: 0, refreshes: 0 };
  const filling = new Map<string, Promise<Fragment | null>>();
  // An advance starts the refresh at once, not at the next tick of the interval.
  const follower = followCatalog(deps.projections, () => void sync(), deps.logger, settings.refreshIntervalMs);

  const keyState = (id: string, live: boolean): KeyState => {
    let state = keys.get(id);
    if (!state) keys.set(id, (state = { id, live }));
    state.live = live && !shredded.has(id);
    return state;
  };

  const served = (row: CertificateRow | null): ServedCertificate | null => {
    if (!row) return null;
    const key = keyState(row.keyId, row.keyLive);
    const known = certificates.get(row.id);
    if (known && known.chainId === row.chainId && known.key === key) return known;
    const fresh = { id: row.id, chainId: row.chainId, key };
    certificates.set(row.id, fresh);
    return fresh;
  };

  const put = (row: DomainRow): void => {
    const entry: DomainEntry = { id: row.id, name: row.name, active: row.active, single: served(row.single), multi: served(row.multi) };
    byName.set(entry.name, entry);
    byId.set(entry.id, entry);
  };

  /** Every domain, page by page, already served while it fills: each row is read after `to` was reached. */
  const fullLoad = async (to: bigint): Promise<void> => {
    const started = performance.now();
    const begun = generation;
    fullNeeded = true; // until the last page is in: a failed load starts over
    byName = new Map();
    byId = new Map();
    certificates = new Map();
    position = to;
    for (let after = ''; ;) {
      const rows = await domainPage(deps.db, after, settings.pageSize);
      for (const row of rows) put(row);
      if (rows.length < settings.pageSize) break;
      after = rows[rows.length - 1]!.id;
    }
    if (begun !== generation) return;
    fullNeeded = false;
    counts.fullLoads += 1;
    deps.logger.info('served index loaded', { domains: byName.size, ms: Math.round(performance.now() - started) });
  };

  /** Only the domains the catalog events in (position, to] touched; every domain when the chain policy changed. */
  const refresh = async (from: bigint, to: bigint): Promise<void> => {
    const begun = generation;
    const changed = await changedDomainNames(deps, from, to, settings.maxIncrementalEvents);
    if (changed === 'all') {
      fullNeeded = true;
      return;
    }
    for (let at = 0; at < changed.length; at += 1_000) {
      const chunk = changed.slice(at, at + 1_000);
      const rows = await domainsNamed(deps.db, chunk);
      for (const row of rows) put(row);
    }
    if (begun !== generation) return;
    position = to;
    counts.refreshes += 1;
  };

  // The position is read before the rows, and only ever recorded as the one read before: an
  // advance during a read leaves the index behind the checkpoint, so it is not served, and the
  // loop goes round again for the events of that advance.
  const run = async (): Promise<void> => {
    for (;;) {
      const to = catalogPosition(deps.projections);
      // 0: the runner has not read its checkpoint yet (or nothing was ever written).
      if (to === undefined || to === 0n || timer === undefined) return;
      if (fullNeeded || position === undefined || to < position) await fullLoad(to);
      else if (to > position) await refresh(position, to);
      else return;
    }
  };

  const sync = (): Promise<void> => {
    running ??= run().then(
      () => {
        failing = false;
      },
      (error: unknown) => {
        if (!failing) deps.logger.warn('served index sync failed; lookups read the database meanwhile', { error: (error as Error).message });
        failing = true;
      },
    ).finally(() => {
      running = undefined;
    });
    return running;
  };

  const fill = async (certificate: ServedCertificate): Promise<Fragment | null> => {
    const pems = await certificatePems(deps.db, certificate.id, certificate.chainId);
    if (!pems) return null;
    let keyPem: string;
    try {
      keyPem = await privateKeyPem(deps.vault, certificate.key.id);
    } catch {
      return null; // shredded or missing: the database path names the problem
    }
    // Shredded while it was read: never kept.
    if (!certificate.key.live || shredded.has(certificate.key.id)) return null;
    const chain = certificate.chainId === '' ? null : { id: certificate.chainId, pem: pems.chainPem };
    const json = JSON.stringify(pemPayload({ id: certificate.id, pem: pems.pem, privateKeyId: certificate.key.id, chain }, keyPem));
    return fragments.add(certificate.id, certificate.chainId, certificate.key.id, json, pems.pem, pems.chainPem);
  };

  const shred = (keyId: string): void => {
    shredded.add(keyId);
    const state = keys.get(keyId);
    if (state) state.live = false;
    fragments.dropKey(keyId);
  };

  return {
    start() {
      if (timer) return;
      timer = setInterval(() => void sync(), settings.refreshIntervalMs);
      timer.unref();
      follower.start();
      void sync();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      follower.stop();
      await running;
    },
    domain(key, isId) {
      if (position === undefined || follower.position() !== position) {
        if (timer) void sync();
        return undefined;
      }
      // A miss is "no such domain" only once every page is in: during a full load it is "ask the database".
      return (isId ? byId : byName).get(key) ?? (fullNeeded ? undefined : null);
    },
    fragment(certificate) {
      const held = certificate.fragment;
      if (held?.pieces) {
        held.hot = true;
        return held;
      }
      const found = fragments.get(certificate.id, certificate.chainId);
      if (found?.pieces) {
        found.hot = true;
        certificate.fragment = found;
        return found;
      }
      const key = `${certificate.id},${certificate.chainId}`;
      let pending = filling.get(key);
      if (!pending) {
        pending = fill(certificate).finally(() => filling.delete(key));
        filling.set(key, pending);
      }
      return pending.then((filled) => {
        if (filled) certificate.fragment = filled;
        return filled;
      });
    },
    vault: shredFirst(deps.vault, shred),
    sync,
    invalidate() {
      generation += 1;
      fullNeeded = true;
      position = undefined;
      if (timer) void sync();
    },
    stats: () => {
      const f = fragments.stats();
      return { position, domains: byName.size, fragments: f.entries, fragmentBytes: f.bytes, fragmentBudgetBytes: f.budgetBytes, ...counts };
    },
  };
}
