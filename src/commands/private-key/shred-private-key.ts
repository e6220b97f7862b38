import { assertReason } from '../../domain/certificate/lifecycle-mark.js';
import { privateKeyDecider } from '../../domain/private-key/decider.js';
import { streams } from '../../domain/shared/ids.js';
import type { KeyVault } from '../../infra/key-vault/port.js';
import { deactivateCertificate } from '../certificate/deactivate-certificate.js';
import type { LifecycleDeps, MarkInput } from '../certificate/lifecycle.js';
import { handleCommand, type CommandContext } from '../handle.js';

export type ShredOutcome = {
  changed: boolean;
  position: bigint | null;
  /** Active certificates on the key that were taken out of service first, so domains move to their next best. */
  deactivatedCertificateIds: string[];
};

/**
 * Crypto-shredding: the certificates on the key are deactivated (their events say why), the
 * shredding is recorded, then the vault destroys the data key. The vault step runs on every
 * call, also when the event exists already, so a crash between the two converges on a retry.
 */
export async function shredPrivateKey(
  deps: LifecycleDeps & { vault: Pick<KeyVault, 'shred'> },
  privateKeyId: string,
  mark: MarkInput,
  context: CommandContext = {},
): Promise<ShredOutcome> {
  // Refused input must change nothing: the reason is checked before any certificate is touched.
  assertReason(mark.reason);
  const onKey = await deps.db.selectFrom('certificates').select('id')
    .where('private_key_id', '=', privateKeyId).where('is_active', '=', true).orderBy('id').execute();
  const deactivated: string[] = [];
  let position: bigint | null = null;
  for (const { id } of onKey) {
    const off = await deactivateCertificate(deps, id, { reason: `private key shredded: ${mark.reason}`.slice(0, 1000), actor: mark.actor }, context);
    if (off.changed) deactivated.push(id);
    position = off.position ?? position;
  }
  const handled = await handleCommand(deps.store, streams.privateKey(privateKeyId), privateKeyDecider, {
    type: 'ShredPrivateKey',
    privateKeyId,
    reason: mark.reason,
    actor: mark.actor,
    now: deps.now().toISOString(),
  }, { ...context, actor: mark.actor }, { retries: 3 });
  await deps.vault.shred(privateKeyId);
  return { changed: handled.events.length > 0, position: handled.position ?? position, deactivatedCertificateIds: deactivated };
}
