import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as eventStore from './migrations/0001_event_store.js';
import * as catalog from './migrations/0002_catalog.js';
import * as catalogLifecycle from './migrations/0003_catalog_lifecycle.js';
import * as acmeAccounts from './migrations/0004_acme_accounts.js';
import * as acmeOrders from './migrations/0005_acme_orders.js';
import * as renewal from './migrations/0006_renewal.js';
import * as ari from './migrations/0007_ari.js';
import * as nginxExpiry from './migrations/0008_nginx_expiry.js';
import * as audit from './migrations/0009_audit.js';
import * as projectionRebuilds from './migrations/0010_projection_rebuilds.js';
import * as sites from './migrations/0011_sites.js';

const migrations: Record<string, Migration> = {
  '0001_event_store': eventStore,
  '0002_catalog': catalog,
  '0003_catalog_lifecycle': catalogLifecycle,
  '0004_acme_accounts': acmeAccounts,
  '0005_acme_orders': acmeOrders,
  '0006_renewal': renewal,
  '0007_ari': ari,
  '0008_nginx_expiry': nginxExpiry,
  '0009_audit': audit,
  '0010_projection_rebuilds': projectionRebuilds,
  '0011_sites': sites,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * True when exactly this build's migrations are recorded, in order: the Migrator would run nothing.
 * One query instead of its table checks, lock and catalog reads (PGlite: 1.4 s → 0.1 s at start).
 */
async function upToDate(db: Kysely<any>): Promise<boolean> {
  const names = Object.keys(migrations);
  try {
    const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db);
    return rows.length === names.length && rows.every((row, i) => row.name === names[i]);
  } catch {
    // No migration table yet (a new database): the Migrator creates it, and reports any other fault.
    return false;
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  if (await upToDate(db)) return;
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed`, { cause: error });
  }
}
