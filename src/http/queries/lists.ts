import { sql, type SelectQueryBuilder } from 'kysely';

export type Page = { limit: number; offset: number };

/** Every native list answers with its page and the total the filters match (not the table size). */
export type Paged<T> = { items: T[]; total: number; limit: number; offset: number };

export const iso = (value: Date): string => value.toISOString();
export const isoOrNull = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);

/**
 * One page of a filtered query and the count of everything it matches, from the same builder so
 * the two can never disagree. An offset past the end is an empty page with the right total.
 */
export async function pageOf<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>, page: Page): Promise<{ rows: O[]; total: number }> {
  const [rows, count] = await Promise.all([
    query.limit(page.limit).offset(page.offset).execute(),
    query.clearSelect().clearOrderBy().select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number((count as { n: string }).n) };
}
