/**
 * Prometheus metrics (`GET /metrics` on the admin listener). Counters of this process (ACME
 * requests) live in memory; everything about the catalog, renewals and projections is read from
 * the read models at scrape time, so every process reports the same figures for them.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { certificatesAtRisk } from '../commands/maintenance/expiry-alerts.js';
import type { AcmeExchangeRecord } from '../infra/acme/exchange.js';
import type { AppDeps } from './app-deps.js';
import { renewalCounts } from './queries/overview.js';

export type Metrics = {
  registry: Registry;
  /** For the ACME transport: one count per HTTP exchange with a CA. */
  acmeExchange: (record: Pick<AcmeExchangeRecord, 'requestKind' | 'status' | 'error'>) => void;
};

/** Days-to-expiry buckets of active certificates (upper bounds, cumulative like a histogram's). */
const EXPIRY_BUCKETS = [0, 1, 7, 14, 30, 60, 90] as const;

type ScrapeDeps = Pick<AppDeps, 'db' | 'store' | 'projections' | 'primeStatus' | 'now'>;

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'certledger_' });
  const acmeRequests = new Counter({
    name: 'certledger_acme_requests_total',
    help: 'HTTP exchanges with ACME servers by request kind and status (status "error": no response)',
    labelNames: ['request_kind', 'status'],
    registers: [registry],
  });
  return {
    registry,
    acmeExchange: (record) => acmeRequests.inc({ request_kind: record.requestKind, status: record.status === null ? 'error' : String(record.status) }),
  };
}

const withGauges = new WeakSet<Registry>();

/** The gauges read at scrape time, registered once per registry (apps may be built more than once). */
export function registerReadModelGauges(metrics: Metrics, deps: ScrapeDeps): void {
  if (withGauges.has(metrics.registry)) return;
  withGauges.add(metrics.registry);
  const registers = [metrics.registry];
  new Gauge({
    name: 'certledger_certificates',
    help: 'Certificates by state (active, inactive, revoked, expired_active: still active but past notAfter)',
    labelNames: ['state'],
    registers,
    async collect() {
      const now = deps.now();
      const row = await deps.db.selectFrom('certificates').select((eb) => [
        eb.fn.countAll<string>().filterWhere('is_active', '=', true).as('active'),
        eb.fn.countAll<string>().filterWhere((w) => w.and([w('is_active', '=', false), w('is_revoked', '=', false)])).as('inactive'),
        eb.fn.countAll<string>().filterWhere('is_revoked', '=', true).as('revoked'),
        eb.fn.countAll<string>().filterWhere((w) => w.and([w('is_active', '=', true), w('not_after', '<', now)])).as('expired_active'),
      ]).executeTakeFirstOrThrow();
      for (const state of ['active', 'inactive', 'revoked', 'expired_active'] as const) this.set({ state }, Number(row[state]));
    },
  });
  new Gauge({
    name: 'certledger_certificates_expiring',
    help: 'Active certificates whose notAfter is within `days` days from now (cumulative; 0 = expired)',
    labelNames: ['days'],
    registers,
    async collect() {
      const now = deps.now().getTime();
      const rows = await deps.db.selectFrom('certificates').select((eb) => EXPIRY_BUCKETS.map((days) =>
        eb.fn.countAll<string>().filterWhere('not_after', '<=', new Date(now + days * 86_400_000)).as(`d${days}`)))
        .where('is_active', '=', true).executeTakeFirstOrThrow() as Record<string, string>;
      for (const days of EXPIRY_BUCKETS) this.set({ days: String(days) }, Number(rows[`d${days}`]));
    },
  });
  new Gauge({
    name: 'certledger_renewal_configurations',
    help: 'Active renewal configurations: total, due now, failing (last attempt failed), running',
    labelNames: ['state'],
    registers,
    async collect() {
      const row = await renewalCounts(deps.db, deps.now());
      for (const state of ['total', 'due', 'failing', 'running'] as const) this.set({ state }, row[state]);
    },
  });
  new Gauge({
    name: 'certledger_certificates_at_risk',
    help: 'Served certificates that may expire before a renewal replaces them (GET /api/v1/expiry-alerts), by risk',
    labelNames: ['risk'],
    registers,
    async collect() {
      const found = await certificatesAtRisk(deps.db, deps.now());
      for (const risk of ['no_renewal', 'renewal_failing', 'renewal_late'] as const) this.set({ risk }, found.filter((a) => a.risk === risk).length);
    },
  });
  new Gauge({
    name: 'certledger_event_log_head',
    help: 'Global position of the newest event',
    registers,
    async collect() {
      this.set(Number(await deps.store.headPosition()));
    },
  });
  new Gauge({
    name: 'certledger_projection_lag_events',
    help: 'Events appended that a projection (or the Redis prime, projection="redis_prime") has not applied yet',
    labelNames: ['projection'],
    registers,
    async collect() {
      const [head, projections] = await Promise.all([deps.store.headPosition(), deps.projections.status()]);
      for (const p of projections) this.set({ projection: p.name }, Number(head - p.position));
      const prime = deps.primeStatus?.();
      if (prime?.position !== undefined) this.set({ projection: 'redis_prime' }, Number(head - prime.position));
    },
  });
}
