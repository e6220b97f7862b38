import { acmeAccountDecider } from '../../domain/acme-account/decider.js';
import type { AccountKeyTechnology, AcmeAccountOrderDefaults } from '../../domain/acme-account/defaults.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { acmeStreams } from '../../domain/shared/ids.js';
import { deterministicId } from '../../infra/ids.js';
import { loadAcmeServer, loadDefaultAcmeServerId } from '../acme-server/load.js';
import { handleCommand, type CommandContext } from '../handle.js';
import { claimAndStoreAccountKey, generatePreparedAccountKey, type PreparedAccountKey } from './account-key.js';
import type { AcmeCommandDeps } from './deps.js';
import { assertMacKey, registerAcmeAccount, type ExternalAccountBindingInput, type Registered } from './register-acme-account.js';

export type CreateAcmeAccountInput = {
  /** The default ACME server when absent. */
  acmeServerId?: string;
  key: { generate: AccountKeyTechnology } | { prepared: PreparedAccountKey };
  contact: string[];
  orderDefaults: AcmeAccountOrderDefaults;
  eab?: ExternalAccountBindingInput;
};

export type CreatedAcmeAccount = {
  acmeAccountId: string;
  /** False when this key already had this account here (an upload repeated). */
  created: boolean;
  registration: Registered;
};

/**
 * The account id follows from its first key, so a repeated upload of one key is the same account
 * (idempotent), and the key claim and the account agree even after a crash between them.
 */
export const acmeAccountIdFor = (firstKeyId: string): string => deterministicId('acmeAccount', firstKeyId);

async function resolveServer(deps: AcmeCommandDeps, acmeServerId: string | undefined) {
  const id = acmeServerId ?? (await loadDefaultAcmeServerId(deps.store));
  if (id === null) throw new ValidationError({ acme_server_id: 'no ACME server is registered: register one first' });
  try {
    return await loadAcmeServer(deps.store, id);
  } catch (error) {
    if (error instanceof NotFoundError) throw new ValidationError({ acme_server_id: `ACME server ${id} is not registered` }, undefined, { cause: error });
    throw error;
  }
}

/**
 * Create (generated key) or upload (existing key) an account: claim the key (409 if it serves
 * another account), keep it in the vault, record the account, then register it at the CA
 * (newAccount). A failed registration leaves the account `unregistered`, its problem recorded.
 */
export async function createAcmeAccount(deps: AcmeCommandDeps, input: CreateAcmeAccountInput, context: CommandContext = {}): Promise<CreatedAcmeAccount> {
  const server = await resolveServer(deps, input.acmeServerId);
  const generated = 'generate' in input.key;
  if (generated && server.externalAccountRequired && !input.eab) {
    throw new ValidationError({ eab: 'the ACME server requires External Account Binding (RFC 8555 §7.3.4): give eab.kid and eab.hmac_key' });
  }
  assertMacKey(input.eab);
  const key = 'generate' in input.key ? await generatePreparedAccountKey(input.key.generate) : input.key.prepared;
  const acmeAccountId = acmeAccountIdFor(key.facts.keyId);

  await claimAndStoreAccountKey(deps, acmeAccountId, key);
  const handled = await handleCommand(deps.store, acmeStreams.acmeAccount(acmeAccountId), acmeAccountDecider, {
    type: 'CreateAcmeAccount',
    acmeAccountId,
    acmeServerId: server.acmeServerId,
    key: key.facts,
    contact: input.contact,
    orderDefaults: input.orderDefaults,
    now: deps.now().toISOString(),
  }, context, { retries: 3 });
  const registration = await registerAcmeAccount(deps, acmeAccountId, { eab: input.eab }, context);
  return { acmeAccountId, created: handled.events.length > 0, registration };
}
