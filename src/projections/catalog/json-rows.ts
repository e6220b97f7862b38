import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../infra/db/schema.js';

/**
 * Many rows in one statement with one parameter: the rows travel as a JSON array and PostgreSQL
 * casts each field to its column (json_populate_recordset), so a batch costs neither thousands of
 * bind parameters nor their compilation. Columns are those of the first row; the others keep their
 * defaults. Unqualified table name: inside a rebuild it resolves to the shadow table. jsonb
 * columns take the value itself (an array), not its JSON text; bigints go as strings.
 */
export async function insertJsonRows(
  db: Kysely<Database>,
  table: keyof Database,
  rows: readonly Record<string, unknown>[],
  onConflict: RawBuilder<unknown>,
): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = sql.join(Object.keys(first).map((column) => sql.id(column)));
  const json = JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  await sql`
    INSERT INTO ${sql.id(table)} (${columns})
    SELECT ${columns} FROM json_populate_recordset(NULL::${sql.id(table)}, ${json}::json)
    ${onConflict}`.execute(db);
}
