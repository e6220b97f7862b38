import type { PrivateKeyImported } from '../../domain/private-key/events.js';
import type { CatalogHandlers } from './handler.js';

type Data = PrivateKeyImported['data'];

/** Public facts of each private key; the key material stays in the key vault. */
export const privateKeyHandlers: CatalogHandlers = {
  async PrivateKeyImported(trx, event) {
    const data = event.data as Data;
    // An import is a fact that never changes: keep the first row on a replay.
    await trx
      .insertInto('private_keys')
      .values({
        id: data.privateKeyId,
        key_technology: data.keyTechnology,
        spki_sha256: data.spkiSha256,
        source: data.source,
        created_at: data.importedAt,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  },
};
