import type { Kysely } from 'kysely';
import type { AriChoice } from '../../domain/renewal-configuration/commands.js';
import type { Database } from '../../infra/db/schema.js';

/** The time chosen inside the CA's ARI window for this certificate (RFC 9773 §4.2), if one was fetched. */
export async function ariChoiceFor(db: Kysely<Database>, certificateId: string | null): Promise<AriChoice> {
  if (!certificateId) return null;
  const row = await db.selectFrom('ari_renewal_info').select('chosen_renewal_time').where('certificate_id', '=', certificateId).executeTakeFirst();
  const chosen = row?.chosen_renewal_time;
  return chosen ? { certificateId, chosenRenewalTime: new Date(chosen).toISOString() } : null;
}
