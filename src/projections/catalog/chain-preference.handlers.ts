import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { ChainPreferencePolicySet } from '../../domain/chain-preference/events.js';
import type { Database } from '../../infra/db/schema.js';
import type { CatalogHandlers } from './handler.js';

/**
 * Exactly one selected chain per certificate: the one whose TOP certificate (last in the chain,
 * nearest the root) has the earliest SHA-1 in the policy; with no match, the CA's default; then
 * the oldest link and the chain id, so the pick is total and the same on every rebuild.
 * One set-based UPDATE; rows whose flag does not change are not rewritten.
 */
async function reselect(trx: Kysely<Database>, scope: RawBuilder<unknown>): Promise<void> {
  await sql`
    WITH ranked AS (
      SELECT cc.certificate_id, cc.ca_chain_id,
             row_number() OVER (
               PARTITION BY cc.certificate_id
               ORDER BY p.position ASC NULLS LAST, cc.is_default DESC, cc.created_at ASC, cc.ca_chain_id ASC
             ) = 1 AS selected
        FROM certificate_chains cc
        LEFT JOIN ca_chains ch ON ch.id = cc.ca_chain_id
        LEFT JOIN ca_certificates top ON top.id = ch.ca_certificate_ids ->> (jsonb_array_length(ch.ca_certificate_ids) - 1)
        LEFT JOIN chain_preferences p ON p.fingerprint_sha1 = top.fingerprint_sha1
       WHERE ${scope}
    )
    UPDATE certificate_chains cc
       SET is_selected = r.selected
      FROM ranked r
     WHERE cc.certificate_id = r.certificate_id
       AND cc.ca_chain_id = r.ca_chain_id
       AND cc.is_selected IS DISTINCT FROM r.selected`.execute(trx);
}

/** After a certificate gains a chain: only its own links can change. */
export async function reselectChains(trx: Kysely<Database>, certificateIds: readonly string[]): Promise<void> {
  if (certificateIds.length === 0) return;
  await reselect(trx, sql`cc.certificate_id = ANY(${[...new Set(certificateIds)]}::text[])`);
}

/** After a policy change: every certificate, in one statement. */
export async function reselectAllChains(trx: Kysely<Database>): Promise<void> {
  await reselect(trx, sql`TRUE`);
}

/** The policy is stated whole by each event, so replacing the rows makes a replay harmless. */
async function chainPreferencePolicySet(trx: Transaction<Database>, data: ChainPreferencePolicySet['data']): Promise<void> {
  await trx.deleteFrom('chain_preferences').execute();
  if (data.fingerprintsSha1.length > 0) {
    await trx
      .insertInto('chain_preferences')
      .values(data.fingerprintsSha1.map((fingerprint, index) => ({ position: index + 1, fingerprint_sha1: fingerprint })))
      .execute();
  }
  await reselectAllChains(trx);
}

/** The chain preference policy and each certificate's selected chain. */
export const chainPreferenceHandlers: CatalogHandlers = {
  ChainPreferencePolicySet: (trx, event) => chainPreferencePolicySet(trx, event.data as ChainPreferencePolicySet['data']),
};
