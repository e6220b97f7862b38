/**
 * Private key material, encrypted at rest outside the event log (DESIGN §3). Events refer to a
 * key by its id only; shredding destroys the key for good while the events stay.
 */
export interface KeyVault {
  /**
   * Store a PKCS#8 DER key. Idempotent: an existing live entry is kept as it is (command retries
   * put the same key again). A shredded id is refused with IllegalStateError, so a late retry
   * can never bring a shredded key back.
   */
  put(privateKeyId: string, pkcs8Der: Buffer): Promise<void>;
  /** The PKCS#8 DER. NotFoundError if never stored; IllegalStateError if shredded or undecryptable. */
  get(privateKeyId: string): Promise<Buffer>;
  /**
   * Many keys in one read (full prime, batch projections): the readable ones, by id. Ids never
   * stored, shredded or undecryptable are left out rather than failing the batch.
   */
  getMany(privateKeyIds: readonly string[]): Promise<Map<string, Buffer>>;
  /** True when `get` would return the key (stored and not shredded). */
  has(privateKeyId: string): Promise<boolean>;
  /** Destroy the data key. Idempotent on a shredded entry; NotFoundError if never stored. */
  shred(privateKeyId: string): Promise<void>;
}
