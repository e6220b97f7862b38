import { sql, type Kysely } from 'kysely';

// Frozen: never edit a migration that has shipped; add a new one.
// How far the nginx expiry follower (src/commands/nginx-cache/auto-expire.ts) has gone. Not in
// projection_checkpoints: read-your-writes waits on every row there, and nginx is not a read model.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('nginx_expiry_checkpoints')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('nginx_expiry_checkpoints').execute();
}
